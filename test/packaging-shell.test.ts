/**
 * Every shell script in the repository passes shellcheck: `*.sh` files and any file whose first
 * line is a sh or bash shebang (`.ci/run`), outside node_modules, dist, .data and .git.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const root = new URL('..', import.meta.url).pathname;
const skippedDirs = new Set(['node_modules', 'dist', '.data', '.git', 'coverage']);

function firstLine(path: string): string {
  const buffer = Buffer.alloc(128);
  const fd = openSync(path, 'r');
  try {
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8').split('\n')[0] ?? '';
  } finally {
    closeSync(fd);
  }
}

/** shellScripts lists the repository's shell scripts, relative to the root, sorted. */
function shellScripts(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skippedDirs.has(entry.name)) found.push(...shellScripts(path));
    } else if (entry.isFile()) {
      if (entry.name.endsWith('.sh') || /^#!.*\b(ba)?sh\b/.test(firstLine(path))) {
        found.push(relative(root, path));
      }
    }
  }
  return found.sort();
}

const installed = spawnSync('shellcheck', ['--version']).status === 0;

test('the repository has shell scripts to check', () => {
  assert.ok(shellScripts(root).includes('.ci/run'), '.ci/run was not recognised as a script');
});

test('every shell script passes shellcheck', {
  skip: installed || process.env.CI ? false : 'shellcheck is not installed',
}, () => {
  const scripts = shellScripts(root);
  const result = spawnSync('shellcheck', ['--format=gcc', ...scripts], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(result.error, undefined, `cannot run shellcheck: ${result.error?.message}`);
  assert.equal(result.status, 0, `shellcheck found problems:\n${result.stdout}${result.stderr}`);
});

test('shellcheck rejects a broken script, so the check above can fail', {
  skip: installed || process.env.CI ? false : 'shellcheck is not installed',
}, () => {
  const result = spawnSync('shellcheck', ['--shell=bash', '-'], {
    input: 'rm -rf $1/*\n',
    encoding: 'utf8',
  });
  assert.notEqual(result.status, 0);
});
