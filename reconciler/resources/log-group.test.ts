import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type LogGroupProperties,
  logGroupArn,
  logGroupHandler,
  observedLogGroupProperties,
} from './log-group.ts';

const base: LogGroupProperties = { name: '/app/api', retentionDays: 30 };
const tags = { 'reconciler:stack': 'app', team: 'logs' };

test('log-group diff', () => {
  const cases: Array<{
    reason: string;
    desired: LogGroupProperties;
    observed: LogGroupProperties;
    observedTags?: Record<string, string>;
    expected: Array<[string, unknown, unknown, boolean]>;
  }> = [
    { reason: 'identical groups have no changes', desired: base, observed: base, expected: [] },
    {
      reason: 'a new name forces replacement',
      desired: { ...base, name: '/app/web' },
      observed: base,
      expected: [['name', '/app/api', '/app/web', true]],
    },
    {
      reason: 'retention changes in place',
      desired: base,
      observed: { ...base, retentionDays: 90 },
      expected: [['retentionDays', 90, 30, false]],
    },
    {
      reason: 'retention removed out of band (never expire) shows as drift',
      desired: base,
      observed: { name: '/app/api' },
      expected: [['retentionDays', undefined, 30, false]],
    },
    {
      reason: 'a KMS key the spec does not name is left alone',
      desired: base,
      observed: { ...base, kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/k' },
      expected: [],
    },
    {
      reason: 'a different KMS key changes in place',
      desired: { ...base, kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/new' },
      observed: { ...base, kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/k' },
      expected: [
        [
          'kmsKeyArn',
          'arn:aws:kms:us-west-2:123456789012:key/k',
          'arn:aws:kms:us-west-2:123456789012:key/new',
          false,
        ],
      ],
    },
    {
      reason: 'a removed tag shows as tags.<key>',
      desired: base,
      observed: base,
      observedTags: { 'reconciler:stack': 'app' },
      expected: [['tags.team', undefined, 'logs', false]],
    },
    {
      reason: 'aws: tags are never drift',
      desired: base,
      observed: base,
      observedTags: { ...tags, 'aws:cloudformation:stack-name': 'x' },
      expected: [],
    },
  ];
  for (const { reason, desired, observed, observedTags, expected } of cases) {
    const changes = logGroupHandler.diff(desired, observed, tags, observedTags ?? tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.before, change.after, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('log-group normalization', () => {
  const cases: Array<{
    reason: string;
    group: Parameters<typeof observedLogGroupProperties>[0];
    expected: LogGroupProperties;
    arn: string;
  }> = [
    {
      reason: 'AWS counters and the :* ARN are dropped; retention kept',
      group: {
        logGroupName: '/app/api',
        retentionInDays: 30,
        storedBytes: 10,
        metricFilterCount: 0,
        arn: 'arn:aws:logs:us-west-2:1:log-group:/app/api:*',
      },
      expected: { name: '/app/api', retentionDays: 30 },
      arn: 'arn:aws:logs:us-west-2:1:log-group:/app/api',
    },
    {
      reason: 'kmsKeyId becomes kmsKeyArn; logGroupArn wins over arn',
      group: {
        logGroupName: '/k',
        kmsKeyId: 'arn:aws:kms:us-west-2:1:key/k',
        arn: 'arn:aws:logs:us-west-2:1:log-group:/k:*',
        logGroupArn: 'arn:aws:logs:us-west-2:1:log-group:/k',
      },
      expected: { name: '/k', kmsKeyArn: 'arn:aws:kms:us-west-2:1:key/k' },
      arn: 'arn:aws:logs:us-west-2:1:log-group:/k',
    },
  ];
  for (const { reason, group, expected, arn } of cases) {
    assert.deepStrictEqual(observedLogGroupProperties(group), expected, reason);
    assert.deepStrictEqual(logGroupArn(group), arn, reason);
  }
});
