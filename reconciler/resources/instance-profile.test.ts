import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type InstanceProfileProperties, instanceProfileHandler } from './instance-profile.ts';

const base: InstanceProfileProperties = {
  name: 'shop-instance',
  path: '/reconciler/shop/',
  roleName: 'shop-instance',
};
const tags = { 'reconciler:stack': 'shop', 'reconciler:address': 'instance-profile.main' };

test('instance-profile diff', () => {
  const cases: Array<{
    reason: string;
    observed: InstanceProfileProperties;
    observedTags?: Record<string, string>;
    expected: Array<[string, boolean]>;
  }> = [
    { reason: 'the same profile has no changes', observed: base, expected: [] },
    {
      reason: 'a role taken out by hand is put back in place',
      observed: { ...base, roleName: '' },
      expected: [['roleName', false]],
    },
    {
      reason: 'another name is another profile: replace',
      observed: { ...base, name: 'shop-old' },
      expected: [['name', true]],
    },
    {
      reason: 'the path is part of the ARN: replace',
      observed: { ...base, path: '/' },
      expected: [['path', true]],
    },
    {
      reason: 'a tag added by hand is removed in place',
      observed: base,
      observedTags: { ...tags, extra: 'x' },
      expected: [['tags.extra', false]],
    },
  ];
  for (const { reason, observed, observedTags, expected } of cases) {
    const changes = instanceProfileHandler.diff(base, observed, tags, observedTags ?? tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('instance-profile comes after the role it holds and tags with the IAM profile API', () => {
  assert.deepStrictEqual(instanceProfileHandler.after, ['iam-role']);
  assert.ok(instanceProfileHandler.iamActions?.write.includes('iam:TagInstanceProfile'));
  assert.ok(instanceProfileHandler.iamActions?.write.includes('iam:RemoveRoleFromInstanceProfile'));
});
