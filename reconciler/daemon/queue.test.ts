import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, flushPromises } from './clock.ts';
import { TerminalError, WorkQueue, type WorkQueueOptions, type WorkResult } from './queue.ts';

interface Harness {
  clock: FakeClock;
  queue: WorkQueue;
  /** runs lists each started key with the fake time (ms since start) it started at. */
  runs: Array<{ key: string; at: number }>;
  /** finish resolves (or rejects) the oldest unfinished run of key. */
  finish(key: string, outcome?: WorkResult | Error): Promise<void>;
  running(): string[];
}

function harness(options: Partial<WorkQueueOptions> = {}): Harness {
  const clock = new FakeClock(0);
  const runs: Array<{ key: string; at: number }> = [];
  const inFlight: Array<{ key: string; settle: (outcome: WorkResult | Error) => void }> = [];
  const queue = new WorkQueue({
    concurrency: 2,
    clock,
    backoff: { baseMs: 5_000, capMs: 300_000 },
    worker: (key) => {
      runs.push({ key, at: clock.now() });
      return new Promise<WorkResult>((resolve, reject) => {
        inFlight.push({
          key,
          settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)),
        });
      });
    },
    ...options,
  });
  return {
    clock,
    queue,
    runs,
    async finish(key, outcome = {}) {
      const index = inFlight.findIndex((entry) => entry.key === key);
      assert.notEqual(index, -1, `${key} is not running`);
      const [entry] = inFlight.splice(index, 1);
      entry?.settle(outcome);
      await flushPromises();
    },
    running: () => inFlight.map((entry) => entry.key).sort(),
  };
}

test('a key added many times while waiting runs once', async () => {
  const h = harness({ concurrency: 1 });
  h.queue.add('a');
  h.queue.add('b');
  h.queue.add('b');
  h.queue.add('b');
  assert.deepStrictEqual(h.running(), ['a']);
  assert.equal(h.queue.depth(), 1);
  await h.finish('a');
  await h.finish('b');
  assert.deepStrictEqual(
    h.runs.map((run) => run.key),
    ['a', 'b'],
  );
  assert.equal(h.queue.depth(), 0);
});

test('a key added while running runs once more afterwards, never twice at once', async () => {
  const h = harness();
  h.queue.add('a');
  h.queue.add('a');
  h.queue.add('a');
  assert.deepStrictEqual(h.running(), ['a']);
  await h.finish('a');
  assert.deepStrictEqual(h.running(), ['a']);
  await h.finish('a');
  assert.deepStrictEqual(h.running(), []);
  assert.equal(h.runs.length, 2);
});

test('concurrency bounds how many keys run together', async () => {
  const h = harness({ concurrency: 2 });
  for (const key of ['a', 'b', 'c', 'd']) h.queue.add(key);
  assert.deepStrictEqual(h.running(), ['a', 'b']);
  assert.equal(h.queue.depth(), 2);
  await h.finish('b');
  assert.deepStrictEqual(h.running(), ['a', 'c']);
});

test('failures back off exponentially per key, capped, and reset on success', async () => {
  const h = harness({ concurrency: 1 });
  const cases = [
    { reason: 'first failure waits the base', outcome: new Error('boom'), expectedDelay: 5_000 },
    { reason: 'second doubles', outcome: new Error('boom'), expectedDelay: 10_000 },
    { reason: 'third doubles again', outcome: new Error('boom'), expectedDelay: 20_000 },
    { reason: 'a success resets', outcome: { requeueAfterMs: 1_000 }, expectedDelay: 1_000 },
    { reason: 'after reset, the base again', outcome: new Error('boom'), expectedDelay: 5_000 },
  ];
  h.queue.add('a');
  for (const { reason, outcome, expectedDelay } of cases) {
    const finishedAt = h.clock.now();
    await h.finish('a', outcome);
    assert.equal(h.queue.nextRunAt('a'), finishedAt + expectedDelay, reason);
    await h.clock.advance(expectedDelay - 1);
    assert.deepStrictEqual(h.running(), [], `${reason}: not before the delay`);
    await h.clock.advance(1);
    assert.deepStrictEqual(h.running(), ['a'], `${reason}: at the delay`);
  }
});

test('backoff is capped at five minutes', async () => {
  const h = harness({ concurrency: 1 });
  h.queue.add('a');
  const delays: number[] = [];
  for (let i = 0; i < 9; i++) {
    const finishedAt = h.clock.now();
    await h.finish('a', new Error('throttled'));
    delays.push((h.queue.nextRunAt('a') ?? 0) - finishedAt);
    await h.clock.advance(delays.at(-1) ?? 0);
  }
  assert.deepStrictEqual(
    delays,
    [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000],
  );
});

test('backoff is per key: a failing key does not delay another', async () => {
  const h = harness();
  h.queue.add('bad');
  h.queue.add('good');
  await h.finish('bad', new Error('boom'));
  await h.finish('good', { requeueAfterMs: 100 });
  await h.clock.advance(100);
  assert.deepStrictEqual(h.running(), ['good']);
  assert.equal(h.queue.failures('bad'), 1);
  assert.equal(h.queue.failures('good'), 0);
});

test('a terminal error is not retried with backoff, only at its retryAfter', async () => {
  const cases = [
    { reason: 'no retry time: waits for the next add', retryAfterMs: undefined, runsAfterHour: 1 },
    { reason: 'retry at resync', retryAfterMs: 60_000, runsAfterHour: 2 },
  ];
  for (const { reason, retryAfterMs, runsAfterHour } of cases) {
    const errors: Array<number | undefined> = [];
    const h = harness({ onError: (_key, _err, retryIn) => errors.push(retryIn) });
    h.queue.add('a');
    await h.finish('a', new TerminalError('invalid spec', { retryAfterMs }));
    assert.equal(h.queue.failures('a'), 0, reason);
    assert.deepStrictEqual(errors, [retryAfterMs], reason);
    await h.clock.advance(3_600_000);
    assert.equal(h.runs.length, runsAfterHour, reason);
  }
});

test('addAfter keeps the earliest time, schedule replaces it', async () => {
  const cases = [
    {
      reason: 'addAfter later keeps earlier',
      op: 'addAfter',
      first: 1_000,
      second: 5_000,
      due: 1_000,
    },
    { reason: 'addAfter earlier wins', op: 'addAfter', first: 5_000, second: 1_000, due: 1_000 },
    { reason: 'schedule replaces', op: 'schedule', first: 1_000, second: 5_000, due: 5_000 },
  ] as const;
  for (const { reason, op, first, second, due } of cases) {
    const h = harness();
    h.queue.addAfter('a', first);
    h.queue[op]('a', second);
    assert.equal(h.queue.nextRunAt('a'), due, reason);
    await h.clock.advance(due - 1);
    assert.equal(h.runs.length, 0, reason);
    await h.clock.advance(1);
    assert.deepStrictEqual(h.runs, [{ key: 'a', at: due }], reason);
  }
});

test('an add cancels the pending timer: the key runs now, once', async () => {
  const h = harness();
  h.queue.addAfter('a', 10_000);
  h.queue.add('a');
  await h.finish('a');
  await h.clock.advance(20_000);
  assert.equal(h.runs.length, 1);
});

test('shutDown runs nothing new and waits for the running keys', async () => {
  const h = harness({ concurrency: 1 });
  h.queue.add('a');
  h.queue.add('b');
  h.queue.addAfter('c', 1_000);
  let stopped = false;
  const stopping = h.queue.shutDown().then(() => {
    stopped = true;
  });
  await flushPromises();
  assert.equal(stopped, false);
  h.queue.add('d');
  await h.finish('a', new Error('aborted'));
  await stopping;
  await h.clock.advance(60_000);
  assert.deepStrictEqual(
    h.runs.map((run) => run.key),
    ['a'],
  );
  assert.equal(h.clock.pendingTimers(), 0);
});
