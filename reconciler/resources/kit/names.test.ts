import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UNKNOWN } from '../../plan/types.ts';
import type { DesiredResource } from '../types.ts';
import { foundByName, shortName } from './names.ts';

test('shortName', () => {
  const cases: Array<{ reason: string; actual: unknown; expected: unknown }> = [
    { reason: 'a short name is kept', actual: shortName('app-api', 32), expected: 'app-api' },
    {
      reason: 'a long name fits the limit',
      actual: shortName('x'.repeat(40), 32).length,
      expected: 32,
    },
    {
      reason: 'a long name keeps its head and ends in a hash of the whole name',
      actual: shortName('x'.repeat(40), 32),
      expected: 'xxxxxxxxxxxxxxxxxxxxxxxxx-bd913f',
    },
    {
      reason: 'a cut that ends in a hyphen drops it before the hash',
      actual: shortName(`${'a'.repeat(24)}-${'b'.repeat(20)}`, 32),
      expected: `${'a'.repeat(24)}-31eaec`,
    },
  ];
  for (const { reason, actual, expected } of cases)
    assert.deepStrictEqual(actual, expected, reason);
});

test('foundByName', async () => {
  const desired = (address: string, name: unknown, stack = 'a') =>
    ({ address, stack, properties: { name } }) as unknown as DesiredResource<{ name: string }>;
  const listed = [
    { name: 'a-api', arn: 'arn:1' },
    { name: 'a-web', arn: 'arn:2' },
    { name: 'other', arn: 'arn:3' },
    { name: 'a-gone', arn: 'arn:4' },
  ];
  const gone = Object.assign(new Error('gone'), { name: 'TargetGroupNotFound' });
  const cases: Array<{
    reason: string;
    desired: DesiredResource<{ name: string }>[];
    expected: Array<[string, string]>;
  }> = [
    {
      reason: 'only listed resources named like a desired one, with its address',
      desired: [desired('target-group.api', 'a-api'), desired('target-group.v2', 'a-v2')],
      expected: [['target-group.api', 'arn:1']],
    },
    {
      reason: 'a name still unknown finds nothing',
      desired: [desired('target-group.api', UNKNOWN)],
      expected: [],
    },
    {
      reason: 'two desired resources wanting one name: the first gets it',
      desired: [desired('target-group.web', 'a-web'), desired('target-group.web', 'a-web', 'b')],
      expected: [['target-group.web', 'arn:2']],
    },
    {
      reason: 'a resource deleted before its read is not found',
      desired: [desired('target-group.gone', 'a-gone')],
      expected: [],
    },
  ];
  for (const { reason, desired: wanted, expected } of cases) {
    const found = await foundByName({
      desired: wanted,
      listed,
      nameOf: (item) => item.name,
      notFound: ['TargetGroupNotFound'],
      read: async (item) => {
        if (item.name === 'a-gone') throw gone;
        return item;
      },
      toObserved: (item) => ({ id: item.arn, properties: { name: item.name }, tags: {} }),
    });
    assert.deepStrictEqual(
      found.map((live) => [live.address, live.id]),
      expected,
      reason,
    );
  }
});
