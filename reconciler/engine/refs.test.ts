import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UNKNOWN } from '../plan/types.ts';
import { ref } from '../resources/types.ts';
import { resolveRefs } from './refs.ts';

test('resolveRefs replaces Refs at any depth and appends their suffix', () => {
  const attributes: Record<string, string> = {
    'ecr-repository.api': '123456789012.dkr.ecr.us-west-2.amazonaws.com/shop/api',
    'vpc.main': 'vpc-1',
  };
  const lookup = (target: { $ref: string }) => attributes[target.$ref] ?? UNKNOWN;
  const cases = [
    { reason: 'a plain Ref', value: ref('vpc.main'), expected: 'vpc-1' },
    {
      reason: 'a Ref with a suffix, inside a list of objects',
      value: [{ image: ref('ecr-repository.api', 'uri', ':1.2.3') }],
      expected: [{ image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/shop/api:1.2.3' }],
    },
    {
      reason: 'a suffix on a value known only after apply stays unknown',
      value: { image: ref('ecr-repository.web', 'uri', ':1.2.3') },
      expected: { image: UNKNOWN },
    },
    { reason: 'values that are not Refs are kept', value: { port: 80 }, expected: { port: 80 } },
  ];
  for (const { reason, value, expected } of cases) {
    assert.deepStrictEqual(resolveRefs(value, lookup), expected, reason);
  }
});
