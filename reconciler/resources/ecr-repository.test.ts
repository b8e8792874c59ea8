import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EcrRepositoryProperties, ecrRepositoryHandler } from './ecr-repository.ts';

const untagged = {
  rulePriority: 1,
  description: 'expire untagged images 7 days after their push',
  selection: {
    tagStatus: 'untagged',
    countType: 'sinceImagePushed',
    countUnit: 'days',
    countNumber: 7,
  },
  action: { type: 'expire' },
};
const keepLast = {
  rulePriority: 2,
  description: 'keep the last 30 images',
  selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 },
  action: { type: 'expire' },
};
const base: EcrRepositoryProperties = {
  name: 'shop/api',
  tagMutability: 'IMMUTABLE',
  scanOnPush: true,
  encryption: 'AES256',
  lifecyclePolicy: { rules: [untagged, keepLast] },
};
const tags = { 'reconciler:stack': 'shop', 'reconciler:address': 'ecr-repository.api' };

/** reordered is the same JSON value with its keys in another order, as AWS may return it. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, inner]) => [key, reordered(inner)]),
  );
}

test('ecr-repository diff', () => {
  const cases: Array<{
    reason: string;
    desired: EcrRepositoryProperties;
    observed: EcrRepositoryProperties;
    observedTags?: Record<string, string>;
    expected: Array<[string, unknown, unknown, boolean]>;
  }> = [
    {
      reason: 'identical repositories have no changes',
      desired: base,
      observed: base,
      expected: [],
    },
    {
      reason: 'the same policy with other key and rule order is no change (JSON, not text)',
      desired: base,
      observed: {
        ...base,
        lifecyclePolicy: reordered({
          rules: [keepLast, untagged],
        }) as EcrRepositoryProperties['lifecyclePolicy'],
      },
      expected: [],
    },
    {
      reason: 'a rule changed out of band is corrected in place, at its own path',
      desired: base,
      observed: {
        ...base,
        lifecyclePolicy: {
          rules: [untagged, { ...keepLast, selection: { ...keepLast.selection, countNumber: 5 } }],
        },
      },
      expected: [['lifecyclePolicy.rules[1].selection.countNumber', 5, 30, false]],
    },
    {
      reason: 'a policy deleted out of band is written again',
      desired: base,
      observed: { ...base, lifecyclePolicy: { rules: [] } },
      expected: [
        ['lifecyclePolicy.rules[0]', undefined, untagged, false],
        ['lifecyclePolicy.rules[1]', undefined, keepLast, false],
      ],
    },
    {
      reason: 'tag mutability and scan on push change in place',
      desired: base,
      observed: { ...base, tagMutability: 'MUTABLE', scanOnPush: false },
      expected: [
        ['scanOnPush', false, true, false],
        ['tagMutability', 'MUTABLE', 'IMMUTABLE', false],
      ],
    },
    {
      reason: 'encryption forces replacement',
      desired: { ...base, encryption: 'KMS' },
      observed: base,
      expected: [['encryption', 'AES256', 'KMS', true]],
    },
    {
      reason: 'the key AWS chose for KMS encryption is left alone when the spec names none',
      desired: { ...base, encryption: 'KMS' },
      observed: {
        ...base,
        encryption: 'KMS',
        kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/aws-ecr',
      },
      expected: [],
    },
    {
      reason: 'force recorded as a tag is an ordinary tag change',
      desired: base,
      observed: base,
      observedTags: { ...tags, 'reconciler:force-delete': 'true' },
      expected: [['tags.reconciler:force-delete', 'true', undefined, false]],
    },
  ];
  for (const { reason, desired, observed, observedTags, expected } of cases) {
    const changes = ecrRepositoryHandler.diff(desired, observed, tags, observedTags ?? tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.before, change.after, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('ecr-repository is protected: a replacement deletes its images', () => {
  assert.equal(ecrRepositoryHandler.protected, true);
  assert.ok(ecrRepositoryHandler.findUnowned, 'names are unique: a repository can be adopted');
});
