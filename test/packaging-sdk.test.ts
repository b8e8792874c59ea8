/**
 * One AWS SDK in the tree: AWS publishes each client package only when that client changes, so
 * client version numbers differ; what must hold is one copy of @aws-sdk/core and of each
 * @smithy/* package (what the clients share), every client pinned exactly, and the Node versions
 * the project declares.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../', import.meta.url);
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
};

/** versionsOf maps each installed package name to the versions the lock file installs of it. */
function versionsOf(filter: RegExp): Map<string, Set<string>> {
  const versions = new Map<string, Set<string>>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    const at = path.lastIndexOf('node_modules/');
    if (at === -1 || !entry.version) continue;
    const name = path.slice(at + 'node_modules/'.length);
    if (!filter.test(name)) continue;
    versions.set(name, new Set([...(versions.get(name) ?? []), entry.version]));
  }
  return versions;
}

test('one copy of @aws-sdk/core and of every @smithy package', () => {
  const shared = versionsOf(/^@(aws-sdk\/core|aws-sdk\/(middleware|util|credential)-|smithy\/)/);
  assert.ok(shared.has('@aws-sdk/core'), 'the lock file lists @aws-sdk/core');
  assert.ok([...shared.keys()].some((name) => name.startsWith('@smithy/')));
  const duplicated = [...shared]
    .filter(([, versions]) => versions.size > 1)
    .map(([name, versions]) => `${name}: ${[...versions].join(', ')}`);
  assert.deepEqual(duplicated, [], 'run npm dedupe, or align the client pins');
});

test('every AWS SDK package is pinned to an exact version', () => {
  const loose = Object.entries(pkg.dependencies)
    .filter(([name]) => name.startsWith('@aws-sdk/'))
    .filter(([, range]) => !/^\d+\.\d+\.\d+$/.test(range));
  assert.deepEqual(loose, []);
});

test('engines: Node 20.19 at least (Node 22 LTS is what the images and workflows run)', () => {
  assert.equal(pkg.engines.node, '>=20.19');
});
