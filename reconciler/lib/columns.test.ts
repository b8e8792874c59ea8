import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignColumns } from './columns.ts';

test('alignColumns pads each column to its widest cell, counts to the right', () => {
  assert.deepStrictEqual(
    alignColumns(
      [
        ['service', 'operation', 'calls'],
        ['ec2', 'DescribeVpcs', '3'],
        ['total', '', '120'],
      ],
      new Set([2]),
    ),
    ['service  operation     calls', 'ec2      DescribeVpcs      3', `total${' '.repeat(20)}120`],
  );
});

test('alignColumns trims the padding of a short last cell and takes ragged rows', () => {
  assert.deepStrictEqual(alignColumns([['a', 'long cell'], ['bb']]), ['a   long cell', 'bb']);
  assert.deepStrictEqual(alignColumns([]), []);
});
