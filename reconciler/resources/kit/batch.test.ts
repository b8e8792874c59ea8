import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batcher } from './batch.ts';

test('batcher: items asked for together go in one call, at most max a call, per scope', async () => {
  const calls: Array<[string, number[]]> = [];
  const send = batcher<{ name: string }, number>(3, async (scope, items) => {
    calls.push([scope.name, [...items]]);
  });
  const a = { name: 'a' };
  const b = { name: 'b' };
  await Promise.all([1, 2, 3, 4].map((n) => send(a, n)).concat([send(b, 9)]));
  await send(a, 5);
  assert.deepStrictEqual(calls, [
    ['a', [1, 2, 3]],
    ['a', [4]],
    ['b', [9]],
    ['a', [5]],
  ]);
});

test('batcher: a failed call fails every caller of its batch, not the next batch', async () => {
  let fail = true;
  const send = batcher<object, string>(10, async () => {
    if (fail) throw new Error('AccessDenied');
  });
  const scope = {};
  const results = await Promise.allSettled([send(scope, 'x'), send(scope, 'y')]);
  assert.deepStrictEqual(
    results.map((result) => result.status),
    ['rejected', 'rejected'],
  );
  fail = false;
  await send(scope, 'z');
});
