/**
 * The full runs of the suites `npm test` runs bounded: five seeds at 20 % mixed faults (with the
 * fault-free baseline their figures are compared with), 20 kill points over the whole apply,
 * 2,000 mutated specs and 10,000 generated requests to the service.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

for (const { file, env } of [
  { file: 'test/fault-injection.test.ts', env: { FAULT_SEEDS: '1,2,3,4,5', FAULT_BASELINE: '1' } },
  { file: 'test/crash-points.test.ts', env: { CRASH_POINTS: '20' } },
  { file: 'reconciler/spec/load-fuzz.test.ts', env: { SPEC_FUZZ_RUNS: '2000' } },
  // three requests a run
  { file: 'test/service-bad-requests.test.ts', env: { SERVICE_FUZZ_RUNS: '3400' } },
]) {
  test(`${file} with ${JSON.stringify(env)}`, { timeout: 120 * 60_000 }, () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', file], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    // the figures each run reports
    for (const line of run.stdout.split('\n').filter((text) => /^\s*# (\{|killed)/.test(text))) {
      process.stdout.write(`${line.trim()}\n`);
    }
    assert.equal(run.status, 0, run.stdout.slice(-6000));
  });
}
