/**
 * The full fuzzing runs: 2,000 mutated specs through the loader and 10,000 generated requests
 * against the service (npm test runs the same properties with a few hundred).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

for (const { file, env } of [
  { file: 'reconciler/spec/load-fuzz.test.ts', env: { SPEC_FUZZ_RUNS: '2000' } },
  { file: 'test/service-bad-requests.test.ts', env: { SERVICE_FUZZ_RUNS: '3400' } },
]) {
  test(`${file} with ${Object.values(env)[0]} runs`, { timeout: 30 * 60_000 }, () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', file], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stdout.slice(-4000));
  });
}
