import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UNKNOWN } from '../plan/types.ts';
import {
  changedFields,
  chunk,
  ownedArns,
  shortName,
  sortedValues,
  tagDelta,
  tagsAfterUpdate,
} from './elbv2-common.ts';

test('tagDelta', () => {
  const cases: Array<{
    reason: string;
    desired: Record<string, string>;
    observed: Record<string, string>;
    expected: ReturnType<typeof tagDelta>;
  }> = [
    {
      reason: 'equal tags write nothing',
      desired: { a: '1' },
      observed: { a: '1' },
      expected: { set: {}, remove: [] },
    },
    {
      reason: 'missing and changed tags are set, extra ones removed',
      desired: { a: '1', b: '2' },
      observed: { b: '3', c: '4' },
      expected: { set: { a: '1', b: '2' }, remove: ['c'] },
    },
    {
      reason: 'aws: tags are never removed',
      desired: { a: '1' },
      observed: { a: '1', 'aws:cloudformation:stack-name': 's' },
      expected: { set: {}, remove: [] },
    },
  ];
  for (const { reason, desired, observed, expected } of cases) {
    assert.deepStrictEqual(tagDelta(desired, observed), expected, reason);
  }
});

test('small helpers', () => {
  const cases: Array<{ reason: string; actual: unknown; expected: unknown }> = [
    {
      reason: 'chunk splits in slices of 20',
      actual: chunk([...Array(41).keys()], 20).map((part) => part.length),
      expected: [20, 20, 1],
    },
    { reason: 'chunk of nothing is nothing', actual: chunk([], 20), expected: [] },
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
      reason: 'unknown values sort after ids',
      actual: sortedValues(['b', UNKNOWN, 'a']),
      expected: ['a', 'b', UNKNOWN],
    },
    {
      reason: 'changed fields are the roots of the paths, tags excluded',
      actual: [
        ...changedFields([
          {
            path: 'healthCheck.path',
            before: 1,
            after: 2,
            forcesReplacement: false,
            sensitive: false,
          },
          {
            path: 'rules[0].priority',
            before: 1,
            after: 2,
            forcesReplacement: false,
            sensitive: false,
          },
          { path: 'tags.team', before: 1, after: 2, forcesReplacement: false, sensitive: false },
        ]),
      ],
      expected: ['healthCheck', 'rules'],
    },
    {
      reason: 'tags after an update keep the aws: ones',
      actual: tagsAfterUpdate({ a: '1' }, { b: '2', 'aws:x': 'y' }),
      expected: { 'aws:x': 'y', a: '1' },
    },
    {
      reason: 'only ARNs tagged with a stack in scope and an address are owned',
      actual: ownedArns(
        ['arn:1', 'arn:2', 'arn:3', 'arn:4'],
        new Map<string, Record<string, string>>([
          ['arn:1', { 'reconciler:stack': 'a', 'reconciler:address': 'load-balancer.main' }],
          ['arn:2', { 'reconciler:stack': 'b', 'reconciler:address': 'load-balancer.main' }],
          ['arn:3', { 'reconciler:stack': 'a' }],
        ]),
        ['a'],
      ).map((owned) => owned.arn),
      expected: ['arn:1'],
    },
  ];
  for (const { reason, actual, expected } of cases)
    assert.deepStrictEqual(actual, expected, reason);
});
