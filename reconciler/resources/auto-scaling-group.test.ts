import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AutoScalingGroupProperties,
  autoScalingGroupHandler,
  observedGroup,
} from './auto-scaling-group.ts';
import type { ObservedResource, ResourceContext } from './types.ts';

const base: AutoScalingGroupProperties = {
  name: 'shop-capacity',
  launchTemplateId: 'lt-1',
  launchTemplateVersion: '1',
  minSize: 1,
  maxSize: 4,
  desiredCapacity: 2,
  subnetIds: ['subnet-b', 'subnet-a'],
  protectFromScaleIn: true,
  instanceRefresh: { minHealthyPercentage: 90, instanceWarmupSeconds: 300 },
};
const tags = { 'reconciler:stack': 'shop', 'reconciler:address': 'auto-scaling-group.main' };

test('auto-scaling-group diff', () => {
  const cases: Array<{
    reason: string;
    observed: AutoScalingGroupProperties;
    observedTags?: Record<string, string>;
    expected: Array<[string, boolean]>;
  }> = [
    { reason: 'the same group has no changes', observed: base, expected: [] },
    {
      reason: 'ECS (or a person) scaled it: the desired capacity is not drift',
      observed: { ...base, desiredCapacity: 4 },
      expected: [],
    },
    {
      reason: 'a new launch template version is an update (an instance refresh), not a new group',
      observed: { ...base, launchTemplateVersion: '2' },
      expected: [['launchTemplateVersion', false]],
    },
    {
      reason: 'min and max sizes update in place',
      observed: { ...base, minSize: 0, maxSize: 2 },
      expected: [
        ['maxSize', false],
        ['minSize', false],
      ],
    },
    {
      reason: 'subnets are a set',
      observed: { ...base, subnetIds: ['subnet-a', 'subnet-b'] },
      expected: [],
    },
    {
      reason: 'the refresh preferences are not a group setting',
      observed: { ...base, instanceRefresh: { minHealthyPercentage: 0, instanceWarmupSeconds: 0 } },
      expected: [],
    },
    {
      reason: 'another name is another group: replace',
      observed: { ...base, name: 'shop-old' },
      expected: [['name', true]],
    },
  ];
  for (const { reason, observed, observedTags, expected } of cases) {
    const changes = autoScalingGroupHandler.diff(base, observed, tags, observedTags ?? tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('observedGroup: launch template from either form, ECS managed tag dropped, deleting status', () => {
  const group = {
    AutoScalingGroupName: 'shop-capacity',
    AutoScalingGroupARN:
      'arn:aws:autoscaling:us-west-2:1:autoScalingGroup:x:autoScalingGroupName/shop-capacity',
    MixedInstancesPolicy: {
      LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: 'lt-1', Version: '1' } },
    },
    MinSize: 1,
    MaxSize: 4,
    DesiredCapacity: 3,
    VPCZoneIdentifier: 'subnet-b,subnet-a',
    NewInstancesProtectedFromScaleIn: true,
    Tags: [
      { Key: 'reconciler:stack', Value: 'shop' },
      { Key: 'AmazonECSManaged', Value: '' },
    ],
    Status: 'Delete in progress',
  };
  const observed = observedGroup(group as never);
  assert.equal(observed.properties.launchTemplateId, 'lt-1');
  assert.equal(observed.properties.launchTemplateVersion, '1');
  assert.deepStrictEqual(observed.properties.subnetIds, ['subnet-b', 'subnet-a']);
  assert.deepStrictEqual(observed.tags, { 'reconciler:stack': 'shop' });
  assert.equal(observed.status, 'deleting');
  assert.equal(observedGroup({ ...group, Status: undefined } as never).status, 'ready');
});

test('stability: in service instances against the desired capacity', async () => {
  const resource = (instances: string[], desired: number, status = 'ready') =>
    ({
      stack: 'shop',
      address: 'auto-scaling-group.main',
      status,
      live: {
        DesiredCapacity: desired,
        Instances: instances.map((LifecycleState) => ({ LifecycleState })),
      },
    }) as unknown as ObservedResource<AutoScalingGroupProperties>;
  const verdicts = await autoScalingGroupHandler.stability?.({} as ResourceContext, [
    resource(['InService', 'InService'], 2),
    resource(['InService', 'Pending'], 2),
    resource([], 2, 'deleting'),
  ]);
  assert.deepStrictEqual(
    verdicts?.map((verdict) => [verdict.state, verdict.detail]),
    [
      ['stable', undefined],
      ['waiting', '1/2 instances in service'],
      ['stable', undefined],
    ],
  );
});
