import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Limiter } from './limiter.ts';

test('the limiter runs at most maxInFlight, queues up to queueLimit and sheds the rest', async () => {
  const limiter = new Limiter(2, 1);
  const releases: Array<() => void> = [];
  const started: number[] = [];
  const job = (n: number) =>
    limiter.run(
      () =>
        new Promise<number>((resolve) => {
          started.push(n);
          releases.push(() => resolve(n));
        }),
    );
  const first = job(1);
  const second = job(2);
  const third = job(3);
  await assert.rejects(job(4), { status: 429, code: 'overloaded' });
  assert.deepStrictEqual(
    [started, limiter.inFlight, limiter.queued, limiter.shed],
    [[1, 2], 2, 1, 1],
  );
  releases[0]!();
  assert.equal(await first, 1);
  assert.deepStrictEqual(started, [1, 2, 3]);
  releases[1]!();
  releases[2]!();
  assert.deepStrictEqual(await Promise.all([second, third]), [2, 3]);
  assert.deepStrictEqual([limiter.inFlight, limiter.queued], [0, 0]);
});
