import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tagDelta, tagsAfter } from './delta.ts';

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

test('tagsAfter keeps the aws: tags and takes the desired ones', () => {
  assert.deepStrictEqual(tagsAfter({ a: '1' }, { b: '2', 'aws:x': 'y' }), {
    'aws:x': 'y',
    a: '1',
  });
});
