import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceLimits } from './concurrency.ts';

const never = () => false;

test('no more requests of one service in flight than the limit; other services are not held up', async () => {
  const limits = new ServiceLimits(3);
  let peak = 0;
  let now = 0;
  const request = async () => {
    now += 1;
    peak = Math.max(peak, now);
    await new Promise((resolve) => setTimeout(resolve, 1));
    now -= 1;
  };
  const other = limits.run('r', 'iam', async () => limits.inFlight('r', 'ec2'), never);
  await Promise.all([
    ...Array.from({ length: 20 }, () => limits.run('r', 'ec2', request, never)),
    other,
  ]);
  assert.equal(peak, 3);
  assert.equal(await other, 3, 'iam ran while ec2 was full');
  assert.equal(limits.inFlight('r', 'ec2'), 0);
});

test('a throttled request pauses the requests of its service that start after it', async () => {
  let clock = 0;
  const slept: number[] = [];
  const limits = new ServiceLimits(
    4,
    () => clock,
    async (ms) => {
      slept.push(ms);
      clock += ms;
    },
  );
  const throttled = Object.assign(new Error('slow down'), { name: 'Throttling' });
  await assert.rejects(
    limits.run(
      'r',
      'ec2',
      () => Promise.reject(throttled),
      (err) => err === throttled,
    ),
  );
  await limits.run('r', 'ec2', async () => 'ok', never);
  assert.equal(slept.length, 1);
  assert.ok((slept[0] ?? 0) >= 100 && (slept[0] ?? 0) <= 200, `paused ${slept[0]} ms`);
  // another service is not paused, and a success ends the pause
  await limits.run('r', 'iam', async () => 'ok', never);
  await limits.run('r', 'ec2', async () => 'ok', never);
  assert.equal(slept.length, 1);
});

test('the limit must be a positive integer', () => {
  assert.throws(() => new ServiceLimits(0), /positive integer, got 0/);
});
