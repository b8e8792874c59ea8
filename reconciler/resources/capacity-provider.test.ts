import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CapacityProviderProperties, capacityProviderHandler } from './capacity-provider.ts';

const base: CapacityProviderProperties = {
  name: 'shop-ec2',
  autoScalingGroupArn: 'arn:aws:autoscaling:us-west-2:1:autoScalingGroup:x:autoScalingGroupName/g',
  managedScaling: {
    status: 'ENABLED',
    targetCapacity: 100,
    minimumScalingStepSize: 1,
    maximumScalingStepSize: 10000,
    instanceWarmupPeriod: 300,
  },
  managedTerminationProtection: 'ENABLED',
  cluster: 'shop',
  defaultStrategy: { weight: 1, base: 0 },
};
const tags = { 'reconciler:stack': 'shop', 'reconciler:address': 'capacity-provider.main' };

test('capacity-provider diff', () => {
  const cases: Array<{
    reason: string;
    observed: CapacityProviderProperties;
    expected: Array<[string, boolean]>;
  }> = [
    { reason: 'the same provider has no changes', observed: base, expected: [] },
    {
      reason: 'detached from the cluster by hand: attached again in place',
      observed: { ...base, cluster: '', defaultStrategy: { weight: 0, base: 0 } },
      expected: [
        ['cluster', false],
        ['defaultStrategy.weight', false],
      ],
    },
    {
      reason: 'a new target capacity updates the provider in place',
      observed: { ...base, managedScaling: { ...base.managedScaling, targetCapacity: 80 } },
      expected: [['managedScaling.targetCapacity', false]],
    },
    {
      reason: 'termination protection turned off by hand is turned on again',
      observed: { ...base, managedTerminationProtection: 'DISABLED' },
      expected: [['managedTerminationProtection', false]],
    },
    {
      reason: 'another group needs another provider: replace',
      observed: { ...base, autoScalingGroupArn: 'arn:other' },
      expected: [['autoScalingGroupArn', true]],
    },
  ];
  for (const { reason, observed, expected } of cases) {
    const changes = capacityProviderHandler.diff(base, observed, tags, tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('capacity-provider comes after its group and cluster; services come after it', async () => {
  assert.deepStrictEqual(capacityProviderHandler.after, ['auto-scaling-group', 'ecs-cluster']);
  const { ecsServiceHandler } = await import('./ecs-service.ts');
  assert.ok(ecsServiceHandler.after?.includes('capacity-provider'));
});
