import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EcsServiceProperties } from '../resources/ecs-service.ts';
import { ref } from '../resources/types.ts';
import type { Service, Stack } from '../spec/types.generated.ts';
import { expandStack } from './expand.ts';

function stack(service: Partial<Service> = {}): Stack {
  return {
    name: 'shop',
    region: 'us-west-2',
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a', 'us-west-2b'],
      publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
      privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
    },
    loadBalancer: { listeners: [{ port: 80, protocol: 'HTTP' }] },
    services: [
      {
        name: 'api',
        image: 'api:1',
        port: 3000,
        logGroup: '/shop/api',
        loadBalancer: {},
        ...service,
      },
    ],
    logGroups: [{ name: '/shop/api' }],
  };
}

function byAddress(spec: Stack) {
  return new Map(expandStack(spec).map((resource) => [resource.address, resource]));
}

test('autoScaling expands to a scalable target after the service and one policy per metric', () => {
  const resources = byAddress(
    stack({
      desiredCount: 1,
      autoScaling: {
        minTasks: 2,
        maxTasks: 6,
        cpu: 60,
        requestsPerTarget: 500,
        scaleOutCooldownSeconds: 60,
        scheduled: [{ name: 'night', schedule: 'cron(0 22 * * ? *)', minTasks: 1, maxTasks: 2 }],
      },
    }),
  );
  const target = resources.get('scalable-target.api');
  assert.deepStrictEqual(target?.properties, {
    resourceId: 'service/shop/api',
    minCapacity: 2,
    maxCapacity: 6,
    scheduledActions: [
      {
        name: 'night',
        schedule: 'cron(0 22 * * ? *)',
        timezone: 'UTC',
        minCapacity: 1,
        maxCapacity: 2,
      },
    ],
  });
  assert.deepStrictEqual(target?.dependsOn, ['ecs-service.api']);
  assert.deepStrictEqual(resources.get('scaling-policy.api-cpu')?.properties, {
    resourceId: 'service/shop/api',
    policyName: 'api-cpu',
    metric: 'ECSServiceAverageCPUUtilization',
    targetValue: 60,
    scaleInCooldown: 300,
    scaleOutCooldown: 60,
  });
  const requests = resources.get('scaling-policy.api-requests');
  assert.equal(requests?.properties.metric, 'ALBRequestCountPerTarget');
  assert.deepStrictEqual(requests?.properties.loadBalancerArn, ref('load-balancer.main', 'arn'));
  assert.deepStrictEqual(requests?.properties.targetGroupArn, ref('target-group.api', 'arn'));
  assert.deepStrictEqual(requests?.dependsOn, ['scalable-target.api']);
  assert.equal(resources.has('scaling-policy.api-memory'), false, 'memory is not tracked');
  assert.equal(requests?.tags['reconciler:address'], 'scaling-policy.api-requests');
});

test('an auto scaled service starts with desiredCount clamped into minTasks..maxTasks', () => {
  const cases: Array<{ reason: string; service: Partial<Service>; expected: object }> = [
    {
      reason: 'no autoScaling: the spec owns the count',
      service: { desiredCount: 3 },
      expected: { desiredCount: 3 },
    },
    {
      reason: 'below minTasks: starts at minTasks',
      service: { desiredCount: 1, autoScaling: { minTasks: 2, maxTasks: 6, cpu: 50 } },
      expected: { desiredCount: 2, autoScaled: true },
    },
    {
      reason: 'inside the bounds: starts at desiredCount',
      service: { desiredCount: 4, autoScaling: { minTasks: 2, maxTasks: 6, cpu: 50 } },
      expected: { desiredCount: 4, autoScaled: true },
    },
    {
      reason: 'above maxTasks: starts at maxTasks',
      service: { desiredCount: 9, autoScaling: { minTasks: 2, maxTasks: 6, memory: 70 } },
      expected: { desiredCount: 6, autoScaled: true },
    },
  ];
  for (const { reason, service, expected } of cases) {
    const resources = byAddress(stack(service));
    const properties = resources.get('ecs-service.api')?.properties as EcsServiceProperties;
    const { desiredCount, autoScaled } = properties;
    assert.deepStrictEqual(
      autoScaled === undefined ? { desiredCount } : { desiredCount, autoScaled },
      expected,
      reason,
    );
    assert.equal(resources.has('scalable-target.api'), 'autoScaling' in service, reason);
  }
});
