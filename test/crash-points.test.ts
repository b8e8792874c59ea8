/**
 * `reconciler apply` SIGKILLed after the k-th AWS request it sent (counted by the proxy in front
 * of the local cloud), at seeded points spread over the whole apply; after each kill a second
 * apply must converge with no duplicate and no leaked resource. CRASH_POINTS sets how many
 * points: npm test runs one, the stress suite 20.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startFaultProxy } from './helpers/fault-proxy.ts';
import { applyKilled, applyThrough, assertConverged, cliOutput } from './helpers/fault-run.ts';
import { localCloudForFile } from './helpers/moto.ts';

const points = Number(process.env.CRASH_POINTS ?? 1);
const seed = Number(process.env.CRASH_SEED ?? 14);

const cloud = localCloudForFile();

/** killPoints spreads count points over 1..requests: one seeded point in each equal share. */
function killPoints(requests: number, count: number, seedValue: number): number[] {
  let state = seedValue >>> 0;
  const random = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
  return Array.from({ length: count }, (_, index) =>
    Math.max(1, Math.floor(((index + random()) * requests) / count)),
  );
}

describe('apply killed at any point converges on the next run', { timeout: 60 * 60_000 }, () => {
  let requests = 0;

  test('the requests of one apply, counted', async () => {
    await cloud.moto.reset();
    const proxy = await startFaultProxy(cloud.moto.endpoint);
    try {
      const applied = await applyThrough(proxy.endpoint);
      assert.equal(applied.code, 0, cliOutput(applied));
      requests = proxy.stats().forwarded;
    } finally {
      await proxy.close();
    }
    assert.ok(requests > 50, `${requests} requests`);
  });

  for (let index = 0; index < points; index += 1) {
    test(`kill point ${index + 1} of ${points}`, async (t) => {
      const at = killPoints(requests, points, seed)[index] ?? 1;
      await cloud.moto.reset();
      let run: ReturnType<typeof applyKilled> | undefined;
      const proxy = await startFaultProxy(cloud.moto.endpoint, {
        onForwarded: (count) => {
          if (count >= at) run?.kill();
        },
      });
      try {
        run = applyKilled(proxy.endpoint);
        const ended = await run.done;
        assert.equal(
          ended.signal,
          'SIGKILL',
          `apply ended with ${ended.code} before request ${at}`,
        );
      } finally {
        await proxy.close();
      }
      const rerun = await applyThrough(cloud.moto.endpoint);
      assert.equal(rerun.code, 0, `after a kill at request ${at}: ${cliOutput(rerun)}`);
      await assertConverged(
        cloud.clients,
        cloud.moto.endpoint,
        `killed at request ${at} of ${requests}`,
      );
      t.diagnostic(`killed after request ${at} of ${requests}: converged`);
    });
  }
});
