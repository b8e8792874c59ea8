import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, KeyBackoff, withJitter } from './backoff.ts';

test('backoffDelay doubles from the base up to the cap', () => {
  const options = { baseMs: 5_000, capMs: 300_000 };
  const cases = [
    { failures: 0, expected: 5_000 },
    { failures: 1, expected: 10_000 },
    { failures: 5, expected: 160_000 },
    { failures: 6, expected: 300_000 },
    { failures: 1000, expected: 300_000 },
  ];
  for (const { failures, expected } of cases) {
    assert.equal(backoffDelay(failures, options), expected, `${failures} failures`);
  }
});

test('KeyBackoff counts per key and forgets on success', () => {
  const backoff = new KeyBackoff({ baseMs: 1, capMs: 100 });
  assert.deepStrictEqual([backoff.next('a'), backoff.next('a'), backoff.next('b')], [1, 2, 1]);
  backoff.forget('a');
  assert.deepStrictEqual(
    [backoff.failures('a'), backoff.next('a'), backoff.failures('b')],
    [0, 1, 1],
  );
});

test('withJitter stays within the fraction', () => {
  const cases = [
    { reason: 'lowest', random: 0, expected: 90_000 },
    { reason: 'middle', random: 0.5, expected: 100_000 },
    { reason: 'highest', random: 1, expected: 110_000 },
  ];
  for (const { reason, random, expected } of cases) {
    assert.equal(
      withJitter(100_000, 0.1, () => random),
      expected,
      reason,
    );
  }
});
