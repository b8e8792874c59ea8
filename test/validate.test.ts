import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MAX_SPEC_BYTES } from '../reconciler/spec/load.ts';
import {
  formatSpecError,
  type LoadedStack,
  loadStackSource,
  loadStacks,
  type SpecError,
} from '../reconciler/spec/load-stacks.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';

const invalidDir = 'test/fixtures/invalid';

interface ExpectedError {
  file: string;
  line: number;
  column: number;
  path: string;
  messageIncludes: string;
}

interface ExpectedCase {
  input: string;
  errors: ExpectedError[];
}

async function expectedCases(): Promise<ExpectedCase[]> {
  return JSON.parse(await readFile(join(invalidDir, 'expected.json'), 'utf8')) as ExpectedCase[];
}

function located(errors: readonly SpecError[]) {
  return errors.map(({ file, line, column, path }) => ({
    file: file.slice(invalidDir.length + 1),
    line,
    column,
    path,
  }));
}

test('the invalid corpus holds at least 30 cases and every fixture has its expectation', async () => {
  const cases = await expectedCases();
  const inputs = (await readdir(invalidDir)).filter((entry) => entry !== 'expected.json').sort();
  assert.ok(cases.length >= 30, `only ${cases.length} invalid cases`);
  assert.deepStrictEqual(cases.map((entry) => entry.input).sort(), inputs);
});

test('every invalid spec reports exactly the expected errors at the expected positions', async () => {
  for (const expected of await expectedCases()) {
    const { stacks, errors } = await loadStacks([join(invalidDir, expected.input)]);
    assert.deepStrictEqual(
      located(errors),
      expected.errors.map(({ file, line, column, path }) => ({ file, line, column, path })),
      `${expected.input}: ${errors.map(formatSpecError).join(' | ')}`,
    );
    errors.forEach((error, index) => {
      const phrase = expected.errors[index]!.messageIncludes;
      assert.ok(
        error.message.includes(phrase),
        `${expected.input}: '${error.message}' lacks '${phrase}'`,
      );
    });
    // Only the duplicate-names folder has a valid stack (its first file).
    assert.equal(stacks.length, expected.input === 'duplicate-names' ? 1 : 0, expected.input);
  }
});

test('loadStackSource reports the same errors for a spec held in memory', async () => {
  for (const expected of await expectedCases()) {
    if (!expected.input.endsWith('.yaml')) continue;
    const file = join(invalidDir, expected.input);
    const fromDisk = await loadStacks([file]);
    const fromMemory = loadStackSource(file, await readFile(file, 'utf8'));
    assert.deepStrictEqual(fromMemory.errors, fromDisk.errors, expected.input);
    assert.equal(fromMemory.stack, undefined);
  }
});

test('a 10 MB file is refused with one error, without parsing it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'spec-size-'));
  try {
    const file = join(dir, 'huge.yaml');
    const line = 'name: huge\n'.padEnd(64, '#');
    await writeFile(file, `${line}\n`.repeat((10 * 1024 * 1024) / 65));
    const { stacks, errors } = await loadStacks([file]);
    assert.equal(stacks.length, 0);
    assert.equal(errors.length, 1);
    assert.deepStrictEqual(
      { line: errors[0]!.line, column: errors[0]!.column, path: errors[0]!.path },
      // a problem of the file as a whole: no position in it is invented
      { line: 0, column: 0, path: 'spec' },
    );
    assert.match(errors[0]!.message, /larger than the limit of 1048576 bytes/);
    const inMemory = loadStackSource(file, await readFile(file, 'utf8'));
    assert.equal(inMemory.errors.length, 1);
    assert.match(inMemory.errors[0]!.message, /larger than the limit/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a spec just under the size limit is still read', () => {
  const padding = `# ${'x'.repeat(200)}\n`.repeat(Math.floor((MAX_SPEC_BYTES - 500) / 203));
  const { errors } = loadStackSource('padded.yaml', `${padding}name: padded\n`);
  assert.deepStrictEqual(
    errors.map((error) => error.message),
    ["missing required key 'network'", "missing required key 'region'"],
  );
});

test('hostile or broken input gives errors, never an exception', () => {
  const cases = [
    { reason: 'deep flow nesting', source: `${'['.repeat(50_000)}${']'.repeat(50_000)}` },
    {
      reason: 'deep block nesting',
      source: Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
    },
    { reason: 'binary garbage', source: '\u0000\u0001\u0002\uFFFD\u0007' },
    { reason: 'a bare scalar', source: '42' },
    { reason: 'an unknown tag', source: 'name: !!js/function "x"\n' },
    { reason: 'an undefined alias', source: 'name: *nowhere\n' },
    { reason: 'a prototype key', source: '__proto__: { polluted: true }\nname: x\n' },
    { reason: 'a complex key', source: '? [a, b]\n: c\n' },
  ];
  for (const { reason, source } of cases) {
    const result = loadStackSource('hostile.yaml', source);
    assert.equal(result.stack, undefined, reason);
    assert.ok(result.errors.length > 0, reason);
    for (const error of result.errors) {
      assert.ok(error.line >= 1 && error.column >= 1, reason);
      assert.doesNotMatch(error.message, /\n\s+at /, reason);
    }
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('every spec under specs/ and specs/examples/ is valid', async () => {
  const { stacks, errors } = await loadStacks(['specs', 'specs/examples']);
  assert.deepStrictEqual(errors.map(formatSpecError), []);
  assert.deepStrictEqual(stacks.map((stack) => stack.file).sort(), [
    'specs/examples/fargate.yaml',
    'specs/examples/minimal.yaml',
    'specs/examples/production.yaml',
    'specs/examples/two-services.yaml',
    'specs/scalable-logging.yaml',
  ]);
});

test('the valid fixtures load: aliases, secret references, HTTPS-only internal load balancer', async () => {
  const { stacks, errors } = await loadStacks(['test/fixtures/valid']);
  assert.deepStrictEqual(errors.map(formatSpecError), []);
  const byName = new Map(stacks.map((stack) => [stack.spec.name, stack.spec] as const));
  assert.deepStrictEqual([...byName.keys()].sort(), ['anchors', 'internal', 'references']);
  const [web, worker] = byName.get('anchors')!.services ?? [];
  assert.deepStrictEqual(worker?.environment, web?.environment, 'an alias expands to its anchor');
  assert.equal(byName.get('internal')!.paused, true);
});

test('a folder loads only its own files, not its subfolders', async () => {
  const { stacks } = await loadStacks(['specs/']);
  assert.deepStrictEqual(
    stacks.map((stack) => stack.file),
    ['specs/scalable-logging.yaml'],
  );
});

test('the loader returns the generated Stack type with schema defaults applied', async () => {
  const { stacks } = await loadStacks([
    'specs/examples/minimal.yaml',
    'specs/scalable-logging.yaml',
  ]);
  const byName = new Map(
    stacks.map((stack: LoadedStack) => [stack.spec.name, stack.spec] as const),
  );
  const minimal: Stack = byName.get('minimal')!;
  const reference: Stack = byName.get('scalable-logging')!;
  assert.deepStrictEqual(
    {
      environment: minimal.environment,
      deletionPolicy: minimal.deletionPolicy,
      paused: minimal.paused,
      enableDnsHostnames: minimal.network.enableDnsHostnames,
      retentionDays: minimal.logGroups?.[0]?.retentionDays,
    },
    {
      environment: 'dev',
      deletionPolicy: 'delete',
      paused: false,
      enableDnsHostnames: true,
      retentionDays: 7,
    },
  );
  const api = reference.services?.[0];
  assert.deepStrictEqual(
    {
      sslPolicy: reference.loadBalancer?.listeners[0].sslPolicy,
      allowedCidrs: reference.loadBalancer?.allowedCidrs,
      timeoutSeconds: reference.loadBalancer?.healthCheck?.timeoutSeconds,
      launchType: api?.launchType,
      amiParameter: reference.capacity?.amiParameter,
      circuitBreaker: api?.deployment?.circuitBreaker,
      manageMasterPassword: reference.database?.manageMasterPassword,
      // the spec turns IAM auth on and leaves the user to the schema's default
      serviceUser: reference.database?.serviceUser,
    },
    {
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      allowedCidrs: ['0.0.0.0/0'],
      timeoutSeconds: 5,
      launchType: 'EC2',
      amiParameter: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
      circuitBreaker: { enable: true, rollback: true },
      manageMasterPassword: true,
      serviceUser: 'logs_service',
    },
  );
});

test('a stack name used twice is an error at the second file name field', async () => {
  const { errors } = await loadStacks([
    'specs/scalable-logging.yaml',
    'test/fixtures/invalid/duplicate-names/a.yaml',
    'test/fixtures/invalid/duplicate-names/b.yaml',
    'specs/scalable-logging.yaml',
  ]);
  assert.deepStrictEqual(
    errors.map(({ file, line, column, path }) => ({ file, line, column, path })),
    [
      {
        file: 'test/fixtures/invalid/duplicate-names/b.yaml',
        line: 2,
        column: 7,
        path: 'spec.name',
      },
    ],
    'a path given twice is loaded once',
  );
});

test('formatSpecError renders file:line:col: path: message', () => {
  assert.equal(
    formatSpecError({
      file: 'specs/x.yaml',
      line: 12,
      column: 5,
      path: 'spec.network.publicSubnets[1]',
      message: 'must be a CIDR inside 10.0.0.0/16',
    }),
    'specs/x.yaml:12:5: spec.network.publicSubnets[1]: must be a CIDR inside 10.0.0.0/16',
  );
});

test('a missing path is one error, not an exception', async () => {
  const { stacks, errors } = await loadStacks(['specs/does-not-exist.yaml']);
  assert.equal(stacks.length, 0);
  assert.deepStrictEqual(
    errors.map(({ file, path }) => ({ file, path })),
    [{ file: 'specs/does-not-exist.yaml', path: 'spec' }],
  );
});
