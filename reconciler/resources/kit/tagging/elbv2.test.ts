import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceContext } from '../../types.ts';
import { inStacks, type Tagged } from './elbv2.ts';

test('inStacks keeps the resources tagged with a stack in scope', () => {
  const ctx = { stacks: ['a', 'b'] } as unknown as ResourceContext;
  const entry = (arn: string, tags: Record<string, string>): Tagged<string> => ({
    resource: arn,
    arn,
    tags,
  });
  const tagged = [
    entry('arn:1', { 'reconciler:stack': 'a', 'reconciler:address': 'load-balancer.main' }),
    entry('arn:2', { 'reconciler:stack': 'c', 'reconciler:address': 'load-balancer.main' }),
    entry('arn:3', { 'reconciler:stack': 'b' }),
    entry('arn:4', {}),
  ];
  assert.deepStrictEqual(
    inStacks(ctx, tagged).map((entry) => entry.arn),
    ['arn:1', 'arn:3'],
    'another stack and no stack tag are out; the address is for the kit to match',
  );
});
