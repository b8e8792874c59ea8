/**
 * Property-based fuzzing of the spec loader over mutations of the specs in specs/: whatever the
 * text, loading never throws and prints no warning, every error is located (a line and column
 * inside the file, a field path under `spec`), the file is left as it was, and a spec that is
 * accepted plans on an empty cloud. SPEC_FUZZ_RUNS raises the number of specs (the stress suite
 * runs 2,000).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { planStacks } from '../engine/plan.ts';
import { expandStack } from '../graph/expand.ts';
import { HANDLERS, PROTECTED_KINDS } from '../resources/registry.ts';
import { loadStackSource } from './load-stacks.ts';

const files = [
  'specs/scalable-logging.yaml',
  'specs/examples/fargate.yaml',
  'specs/examples/minimal.yaml',
  'specs/examples/production.yaml',
  'specs/examples/two-services.yaml',
];
const sources = files.map((file) => readFileSync(file, 'utf8'));

/** Mutation edits one line of a spec's text; line and payload are picked modulo what exists. */
type Mutation =
  | { op: 'delete' | 'duplicate' | 'dedent' | 'indent' | 'swap' | 'truncate'; line: number }
  | { op: 'replace-value' | 'insert' | 'replace-key'; line: number; text: string };

const payload = fc.oneof(
  fc.constantFrom(
    '',
    '-1',
    '0',
    '99999999999999999999',
    'null',
    '~',
    'true',
    '[]',
    '{}',
    '[a, [b, {c: d}]]',
    '&a x',
    '*a',
    '*nowhere',
    '!!binary AAAA',
    '"\\u0000"',
    "'",
    '"',
    '? [a, b]',
    '|',
    '>-',
    '10.0.0.0/33',
    'us-east-1',
    '__proto__',
    '- - - - x',
    '{a: 1}: b',
    '[x]: y',
    `${'- '.repeat(200)}x`,
    `${'['.repeat(100)}`,
  ),
  fc.string({ maxLength: 12 }),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constantFrom(
      'delete',
      'duplicate',
      'dedent',
      'indent',
      'swap',
      'truncate',
    ) as fc.Arbitrary<'delete' | 'duplicate' | 'dedent' | 'indent' | 'swap' | 'truncate'>,
    line: fc.nat(),
  }),
  fc.record({
    op: fc.constantFrom('replace-value', 'insert', 'replace-key') as fc.Arbitrary<
      'replace-value' | 'insert' | 'replace-key'
    >,
    line: fc.nat(),
    text: payload,
  }),
);

function mutate(source: string, mutations: readonly Mutation[]): string {
  const lines = source.split('\n');
  for (const edit of mutations) {
    const at = edit.line % Math.max(lines.length, 1);
    const line = lines[at] ?? '';
    switch (edit.op) {
      case 'delete':
        lines.splice(at, 1);
        break;
      case 'duplicate':
        lines.splice(at, 0, line);
        break;
      case 'dedent':
        lines[at] = line.replace(/^ {1,2}/, '');
        break;
      case 'indent':
        lines[at] = `  ${line}`;
        break;
      case 'swap':
        lines[at] = lines[at + 1] ?? line;
        lines[at + 1] = line;
        break;
      case 'truncate':
        lines[at] = line.slice(0, Math.floor(line.length / 2));
        break;
      case 'replace-value':
        lines[at] = line.includes(':')
          ? `${line.slice(0, line.indexOf(':') + 1)} ${edit.text}`
          : edit.text;
        break;
      case 'replace-key':
        lines[at] = line.includes(':')
          ? `${line.match(/^\s*(- )?/)?.[0] ?? ''}${edit.text}${line.slice(line.indexOf(':'))}`
          : line;
        break;
      case 'insert':
        lines.splice(at, 0, `${line.match(/^\s*/)?.[0] ?? ''}${edit.text}`);
        break;
    }
  }
  return lines.join('\n');
}

test('property: mutated specs load without throwing or warning, every error located, accepted ones plan', () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on('warning', onWarning);
  let accepted = 0;
  try {
    fc.assert(
      fc.property(
        fc.nat({ max: sources.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (which, mutations) => {
          const original = sources[which]!;
          const text = mutate(original, mutations);
          const lineCount = text.split('\n').length;
          const result = loadStackSource(files[which]!, text);
          assert.equal(sources[which], original, 'the source is left as it was');
          for (const error of result.errors) {
            assert.ok(
              error.line >= 1 && error.line <= lineCount,
              `line ${error.line} of ${lineCount}`,
            );
            assert.ok(error.column >= 1, `column ${error.column}`);
            assert.match(error.path, /^spec\b/, error.message);
            assert.equal(error.file, files[which]);
            assert.doesNotMatch(error.message, /\n|\bat .*:\d+:\d+\)/, 'one line, no stack');
            assert.doesNotMatch(
              error.message,
              /cannot validate spec/,
              'the loader itself did not fail',
            );
          }
          assert.equal(result.stack === undefined, result.errors.length > 0);
          if (result.stack) {
            accepted += 1;
            const { plan } = planStacks([result.stack.spec], new Map(), {
              mode: 'plan',
              handlers: HANDLERS,
              expand: expandStack,
              protectedKinds: PROTECTED_KINDS,
            });
            for (const change of plan.stacks[0]?.changes ?? [])
              assert.equal(change.action, 'create');
          }
        },
      ),
      { numRuns: Number(process.env.SPEC_FUZZ_RUNS ?? 300), seed: 14 },
    );
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepStrictEqual(warnings, []);
  assert.ok(accepted > 0, 'some mutations keep a spec valid');
});

test('deep block nesting and collection keys give one located error each', () => {
  const cases = [
    {
      reason: '900 levels of indentation',
      source: Array.from({ length: 900 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
      at: { line: 65, column: 65 },
      message: /nest deeper than 64/,
    },
    {
      reason: '20,000 nested list items on one line',
      source: `${'- '.repeat(20_000)}x\n`,
      at: { line: 1, column: 129 },
      message: /nest deeper than 64/,
    },
    {
      reason: '900 nested lists over lines',
      source: Array.from({ length: 900 }, (_, i) => `${' '.repeat(i * 2)}- a`).join('\n'),
      at: { line: 64, column: 129 },
      message: /nest deeper than 64/,
    },
    {
      reason: 'a list as a key',
      source: 'name: x\n? [a, b]\n: c\n',
      at: { line: 2, column: 3 },
      path: 'spec',
      message: /key must be a plain value/,
    },
    {
      reason: 'a map as a key inside network',
      source: 'name: x\nnetwork:\n  {a: 1}: 2\n',
      at: { line: 3, column: 3 },
      path: 'spec.network',
      message: /key must be a plain value/,
    },
    {
      reason: 'an alias of a list as a key',
      source: 'name: &n [a]\nnetwork:\n  *n : 2\n',
      at: { line: 3, column: 3 },
      path: 'spec.network',
      message: /key must be a plain value/,
    },
  ];
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on('warning', onWarning);
  try {
    for (const { reason, source, at, path, message } of cases) {
      const { errors } = loadStackSource('deep.yaml', source);
      assert.equal(
        errors.length,
        1,
        `${reason}: ${errors.map((error) => error.message).join(' | ')}`,
      );
      const [error] = errors;
      assert.deepStrictEqual({ line: error?.line, column: error?.column }, at, reason);
      if (path) assert.equal(error?.path, path, reason);
      assert.match(error?.message ?? '', message, reason);
    }
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepStrictEqual(warnings, []);
});

test('a block scalar is text: its indentation does not count as nesting', () => {
  const text = Array.from({ length: 200 }, (_, i) => `  ${' '.repeat(i)}line`).join('\n');
  const { errors } = loadStackSource('text.yaml', `name: x\ndescription: |\n${text}\n`);
  assert.ok(errors.every((error) => !/nest deeper/.test(error.message)));
});
