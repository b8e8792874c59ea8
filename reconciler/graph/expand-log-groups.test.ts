import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withDefaults } from '../spec/defaults.ts';
import type { Stack } from '../spec/types.generated.ts';
import { expandLogGroups } from './expand-log-groups.ts';

const network: Stack['network'] = {
  cidr: '10.0.0.0/16',
  availabilityZones: ['us-west-2a'],
  publicSubnets: ['10.0.0.0/24'],
  privateSubnets: ['10.0.1.0/24'],
};

test('expandLogGroups', () => {
  const cases: Array<{
    reason: string;
    logGroups: Stack['logGroups'];
    expected: Array<[string, Record<string, unknown>]>;
  }> = [
    { reason: 'no logGroups, no resources', logGroups: undefined, expected: [] },
    {
      reason: 'the address drops the leading slash; retention defaults to 30 days',
      logGroups: [{ name: '/app/api' }],
      expected: [['log-group.app/api', { name: '/app/api', retentionDays: 30 }]],
    },
    {
      reason: 'retention and KMS key come from the spec',
      logGroups: [
        { name: 'plain', retentionDays: 7, kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/k' },
      ],
      expected: [
        [
          'log-group.plain',
          {
            name: 'plain',
            retentionDays: 7,
            kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/k',
          },
        ],
      ],
    },
  ];
  for (const { reason, logGroups, expected } of cases) {
    const stack = { name: 'app', region: 'us-west-2', network, logGroups } as Stack;
    const resources = expandLogGroups(withDefaults(stack));
    assert.deepStrictEqual(
      resources.map((resource) => [resource.address, resource.properties]),
      expected,
      reason,
    );
    for (const resource of resources) {
      assert.deepStrictEqual(
        resource.tags,
        {
          environment: 'dev',
          'reconciler:stack': 'app',
          'reconciler:address': resource.address,
          'reconciler:managed-by': 'reconciler',
        },
        reason,
      );
    }
  }
});
