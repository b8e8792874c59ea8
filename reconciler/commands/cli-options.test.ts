import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeArgs, oneLine } from '../cli.ts';
import { useColor } from './plan.ts';

test('-out FILE and -out=FILE are --out, never -o ut; after -- nothing changes', () => {
  assert.deepEqual(normalizeArgs(['plan', '-out', 'p.plan']), ['plan', '--out', 'p.plan']);
  assert.deepEqual(normalizeArgs(['plan', '-out=p.plan']), ['plan', '--out=p.plan']);
  assert.deepEqual(normalizeArgs(['plan', '-o', 'json']), ['plan', '-o', 'json']);
  assert.deepEqual(normalizeArgs(['adopt', '--', '-out']), ['adopt', '--', '-out']);
});

test("commander's messages become one line with the suggestion", () => {
  assert.equal(
    oneLine("error: unknown command 'paln'\n(Did you mean plan?)\n"),
    "unknown command 'paln' (did you mean plan?)",
  );
  assert.equal(
    oneLine("error: missing required argument 'shell'\n"),
    "missing required argument 'shell'",
  );
});

test('colours: --no-color and NO_COLOR switch them off, FORCE_COLOR on without a terminal', () => {
  const cases: { reason: string; flag?: boolean; env: NodeJS.ProcessEnv; expected: boolean }[] = [
    { reason: 'no terminal (tests)', env: {}, expected: false },
    { reason: 'FORCE_COLOR=1', env: { FORCE_COLOR: '1' }, expected: true },
    { reason: 'FORCE_COLOR=0', env: { FORCE_COLOR: '0' }, expected: false },
    {
      reason: 'FORCE_COLOR beats NO_COLOR',
      env: { FORCE_COLOR: '1', NO_COLOR: '1' },
      expected: true,
    },
    {
      reason: '--no-color beats FORCE_COLOR',
      flag: false,
      env: { FORCE_COLOR: '1' },
      expected: false,
    },
    { reason: 'NO_COLOR', env: { NO_COLOR: '1' }, expected: false },
  ];
  for (const { reason, flag, env, expected } of cases) {
    assert.equal(useColor(flag, env), expected, reason);
  }
});
