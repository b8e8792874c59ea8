import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Sampler, stackEvents } from './sampler.ts';
import type { StackState } from './stack-reader.ts';

const state = (desired: number, running: number, alarm: string): StackState => ({
  services: [{ name: 'api', desired, running, pending: 0 }],
  alarms: [{ name: 'api-cpu-high', state: alarm, reason: `went ${alarm}` }],
});

test('stackEvents lists count changes and alarm transitions between readings', () => {
  const events = stackEvents([
    { elapsedMs: 0, state: state(2, 2, 'OK') },
    { elapsedMs: 5000, state: state(2, 2, 'OK') },
    { elapsedMs: 10_000, error: 'throttled' },
    { elapsedMs: 15_000, state: state(4, 2, 'ALARM') },
    { elapsedMs: 20_000, state: state(4, 4, 'ALARM') },
    { elapsedMs: 25_000, state: state(2, 4, 'OK') },
  ]);
  assert.deepStrictEqual(events.scaling, [
    { elapsedMs: 15_000, service: 'api', count: 'desired', from: 2, to: 4 },
    { elapsedMs: 20_000, service: 'api', count: 'running', from: 2, to: 4 },
    { elapsedMs: 25_000, service: 'api', count: 'desired', from: 4, to: 2 },
  ]);
  assert.deepStrictEqual(
    events.alarms.map(({ elapsedMs, from, to }) => [elapsedMs, from, to]),
    [
      [0, undefined, 'OK'],
      [15_000, 'OK', 'ALARM'],
      [25_000, 'ALARM', 'OK'],
    ],
  );
});

test('the sampler keeps a failed reading as an error and goes on', async () => {
  let calls = 0;
  const sampler = new Sampler(
    async () => {
      calls += 1;
      if (calls === 2) throw new Error('ExpiredToken: the security token expired');
      return state(calls, calls, 'OK');
    },
    1000,
    () => calls * 1000,
  );
  await sampler.sample();
  await sampler.sample();
  await sampler.sample();
  assert.deepStrictEqual(
    sampler.samples.map((s) => s.error ?? s.state?.services[0]?.desired),
    [1, 'ExpiredToken: the security token expired', 3],
  );
  assert.equal(sampler.latest()?.services[0]?.desired, 3);
});
