import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, flushPromises } from './clock.ts';
import { TokenBucket } from './token-bucket.ts';

async function grantedAfter(bucket: TokenBucket, clock: FakeClock, calls: number, ms: number) {
  let granted = 0;
  for (let i = 0; i < calls; i++) {
    void bucket.acquire().then(() => {
      granted++;
    });
  }
  await flushPromises();
  const before = granted;
  await clock.advance(ms);
  return { immediately: before, afterWait: granted };
}

test('token bucket grants the burst at once, then the rate', async () => {
  const cases = [
    {
      reason: 'within the burst nothing waits',
      rate: 10,
      burst: 10,
      calls: 5,
      waitMs: 0,
      expected: { immediately: 5, afterWait: 5 },
    },
    {
      reason: 'past the burst callers wait for refills',
      rate: 10,
      burst: 10,
      calls: 25,
      waitMs: 1_000,
      expected: { immediately: 10, afterWait: 20 },
    },
    {
      reason: 'one request per second',
      rate: 1,
      burst: 1,
      calls: 4,
      waitMs: 2_500,
      expected: { immediately: 1, afterWait: 3 },
    },
    {
      reason: 'a fractional rate',
      rate: 0.5,
      burst: 1,
      calls: 3,
      waitMs: 2_000,
      expected: { immediately: 1, afterWait: 2 },
    },
  ];
  for (const { reason, rate, burst, calls, waitMs, expected } of cases) {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ ratePerSecond: rate, burst, clock });
    assert.deepStrictEqual(await grantedAfter(bucket, clock, calls, waitMs), expected, reason);
  }
});

test('token bucket serves waiters in order and refills only up to the burst', async () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucket({ ratePerSecond: 2, burst: 2, clock });
  await clock.advance(60_000);
  assert.equal(bucket.available(), 2);
  const order: number[] = [];
  for (let i = 0; i < 4; i++) void bucket.acquire().then(() => order.push(i));
  await flushPromises();
  assert.deepStrictEqual(order, [0, 1]);
  assert.equal(bucket.waiting, 2);
  await clock.advance(1_000);
  assert.deepStrictEqual(order, [0, 1, 2, 3]);
  assert.equal(bucket.waiting, 0);
});

test('token bucket rejects a rate that is not positive', () => {
  for (const rate of [0, -1, Number.NaN]) {
    assert.throws(() => new TokenBucket({ ratePerSecond: rate, clock: new FakeClock() }), {
      message: /rate must be positive/,
    });
  }
});
