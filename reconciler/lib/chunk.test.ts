import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunk } from './chunk.ts';

test('chunk', () => {
  const cases: Array<{ reason: string; actual: unknown; expected: unknown }> = [
    {
      reason: 'slices of 20, the last one shorter',
      actual: chunk([...Array(41).keys()], 20).map((part) => part.length),
      expected: [20, 20, 1],
    },
    {
      reason: 'an exact multiple has no empty slice',
      actual: chunk([1, 2], 1),
      expected: [[1], [2]],
    },
    { reason: 'nothing is nothing', actual: chunk([], 20), expected: [] },
  ];
  for (const { reason, actual, expected } of cases)
    assert.deepStrictEqual(actual, expected, reason);
});
