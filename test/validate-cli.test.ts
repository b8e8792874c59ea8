import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadStacks, type SpecError } from '../reconciler/spec/load-stacks.ts';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'reconciler/cli.ts', 'validate', ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

test('valid specs exit 0 and say how many stacks are valid', async () => {
  const result = await cli('specs/', 'specs/examples/');
  assert.deepStrictEqual(result, { code: 0, stdout: '5 stacks valid\n', stderr: '' });
});

test('the default path is specs/', async () => {
  const result = await cli();
  assert.deepStrictEqual(result, { code: 0, stdout: '1 stack valid\n', stderr: '' });
});

test('invalid specs exit 1 with file:line:col errors on stderr', async () => {
  const result = await cli(
    'test/fixtures/invalid/many-errors.yaml',
    'test/fixtures/invalid/bad-cidr.yaml',
  );
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.deepStrictEqual(lines.slice(0, 3), [
    "test/fixtures/invalid/bad-cidr.yaml:1:7: spec.name: stack name 'broken' is already used by test/fixtures/invalid/many-errors.yaml; stack names must be unique",
    "test/fixtures/invalid/bad-cidr.yaml:4:9: spec.network.cidr: must be an IPv4 CIDR block such as 10.0.0.0/16, got string '10.0.0.0/33'",
    'test/fixtures/invalid/many-errors.yaml:6:32: spec.network.publicSubnets[1]: must be a CIDR inside 10.0.0.0/16 (the VPC), got 10.9.0.0/24',
  ]);
  assert.equal(lines.at(-1), '7 errors in 2 files');
  assert.doesNotMatch(result.stderr, STACK_TRACE);
});

test('--output json prints the same errors as a list of objects', async () => {
  const paths = ['test/fixtures/invalid/many-errors.yaml', 'test/fixtures/invalid/duplicate-names'];
  const result = await cli('--output', 'json', ...paths);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, '');
  const printed = JSON.parse(result.stdout) as SpecError[];
  const { errors } = await loadStacks(paths);
  assert.deepStrictEqual(printed, errors);
  assert.deepStrictEqual(Object.keys(printed[0]!), ['file', 'line', 'column', 'path', 'message']);
});

test('hostile input and usage errors exit 1 without a stack trace', async () => {
  const cases = [
    {
      reason: 'an alias bomb, a missing file and a folder without specs, in one run',
      args: ['test/fixtures/invalid/billion-laughs.yaml', 'nowhere/at-all.yaml', 'test/helpers'],
      says: [/too many YAML alias expansions/, /no such file or folder/],
    },
    { reason: 'unknown option', args: ['--verbose'], says: [/unknown option '--verbose'/i] },
  ];
  for (const { reason, args, says } of cases) {
    const result = await cli(...args);
    assert.equal(result.code, 1, reason);
    for (const pattern of says) assert.match(result.stderr, pattern, reason);
    assert.doesNotMatch(result.stderr, STACK_TRACE, reason);
  }
});

test('--help exits 0 and documents the options', async () => {
  const result = await cli('--help');
  assert.equal(result.code, 0);
  assert.match(
    result.stdout,
    /usage: reconciler validate \[paths\.\.\.\] \[--output human\|json\]/i,
  );
  assert.match(result.stdout, /not those of its subfolders/);
});

test('the validate command never imports the AWS SDK (cold start)', async () => {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [resolve('reconciler/commands/validate.ts')];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    for (const match of source.matchAll(
      /^\s*(import|export)(\s+type)?\s[^;]*?from\s+['"]([^'"]+)['"]/gm,
    )) {
      if (match[2]) continue;
      const specifier = match[3]!;
      if (specifier.startsWith('.')) queue.push(join(dirname(file), specifier));
      else
        packages.add(
          specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        );
    }
  }
  assert.ok(seen.size >= 5, `followed only ${seen.size} modules`);
  assert.deepStrictEqual(
    [...packages].filter((name) => name.startsWith('@aws-sdk') || name.startsWith('@smithy')),
    [],
  );
  assert.ok(packages.has('yaml') && packages.has('ajv'), [...packages].join(', '));
});
