import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from '@aws-sdk/client-ecs';
import {
  type EcsServiceProperties,
  ecsServiceHandler,
  normalizeService,
  type ServiceSnapshot,
  serviceStability,
} from './ecs-service.ts';

const CLUSTER = 'arn:aws:ecs:us-west-2:1:cluster/demo';
const TASK = 'arn:aws:ecs:us-west-2:1:task-definition/demo-api:3';
const TARGET_GROUP = 'arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/demo-api/abc';

function desiredProperties(): EcsServiceProperties {
  return {
    cluster: CLUSTER,
    serviceName: 'api',
    launchType: 'FARGATE',
    taskDefinition: TASK,
    desiredCount: 2,
    networkConfiguration: {
      subnets: ['subnet-a', 'subnet-b'],
      securityGroups: ['sg-service'],
      assignPublicIp: 'DISABLED',
    },
    loadBalancers: [{ targetGroupArn: TARGET_GROUP, containerName: 'api', containerPort: 3000 }],
    deploymentConfiguration: {
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    healthCheckGracePeriodSeconds: 60,
    enableECSManagedTags: true,
    propagateTags: 'SERVICE',
  };
}

/** described is the service the way DescribeServices returns it on AWS. */
function described(): Service {
  return {
    serviceArn: 'arn:aws:ecs:us-west-2:1:service/demo/api',
    serviceName: 'api',
    clusterArn: CLUSTER,
    status: 'ACTIVE',
    launchType: 'FARGATE',
    taskDefinition: TASK,
    desiredCount: 2,
    runningCount: 2,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-b', 'subnet-a'],
        securityGroups: ['sg-service'],
        assignPublicIp: 'DISABLED',
      },
    },
    loadBalancers: [{ targetGroupArn: TARGET_GROUP, containerName: 'api', containerPort: 3000 }],
    deploymentConfiguration: {
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: [], enable: false, rollback: false },
    },
    healthCheckGracePeriodSeconds: 60,
    enableECSManagedTags: true,
    propagateTags: 'SERVICE',
  };
}

test('ecs-service diff', () => {
  const cases: {
    reason: string;
    change: (desired: EcsServiceProperties, observed: Service) => void;
    expected: [string, boolean][];
  }[] = [
    {
      reason: 'as described by AWS: no change (subnet order and alarms ignored)',
      change: () => {},
      expected: [],
    },
    {
      reason: 'desired count changed out of band: update',
      change: (_desired, observed) => {
        observed.desiredCount = 5;
      },
      expected: [['desiredCount', false]],
    },
    {
      reason: 'a new task definition revision: update',
      change: (desired) => {
        desired.taskDefinition = `${TASK.slice(0, -1)}4`;
      },
      expected: [['taskDefinition', false]],
    },
    {
      reason: 'security group swapped out of band: update',
      change: (_desired, observed) => {
        observed.networkConfiguration = {
          awsvpcConfiguration: {
            subnets: ['subnet-a', 'subnet-b'],
            securityGroups: ['sg-other'],
            assignPublicIp: 'DISABLED',
          },
        };
      },
      expected: [['networkConfiguration.securityGroups[0]', false]],
    },
    {
      reason:
        'deployment configuration, grace period and managed tags missing in AWS: updated in place',
      change: (_desired, observed) => {
        delete observed.deploymentConfiguration;
        delete observed.healthCheckGracePeriodSeconds;
        delete observed.enableECSManagedTags;
      },
      expected: [
        ['deploymentConfiguration.deploymentCircuitBreaker.enable', false],
        ['deploymentConfiguration.deploymentCircuitBreaker.rollback', false],
        ['deploymentConfiguration.maximumPercent', false],
        ['deploymentConfiguration.minimumHealthyPercent', false],
        ['enableECSManagedTags', false],
        ['healthCheckGracePeriodSeconds', false],
      ],
    },
    {
      reason: 'another cluster: replace',
      change: (desired) => {
        desired.cluster = 'arn:aws:ecs:us-west-2:1:cluster/other';
      },
      expected: [['cluster', true]],
    },
    {
      reason: 'another launch type: replace',
      change: (desired) => {
        desired.launchType = 'EC2';
      },
      expected: [['launchType', true]],
    },
    {
      reason: 'load balancer removed: UpdateService can change it, update',
      change: (desired) => {
        desired.loadBalancers = [];
      },
      expected: [['loadBalancers[0]', false]],
    },
    {
      reason: 'no load balancer, no grace period: AWS reporting one is not drift',
      change: (desired, observed) => {
        desired.loadBalancers = [];
        delete desired.healthCheckGracePeriodSeconds;
        observed.loadBalancers = [];
        observed.healthCheckGracePeriodSeconds = 0;
      },
      expected: [],
    },
    {
      reason:
        'on a capacity provider with bridge tasks: no launch type (whatever is reported), no network configuration',
      change: (desired, observed) => {
        delete desired.launchType;
        delete desired.networkConfiguration;
        desired.capacityProviderStrategy = [{ capacityProvider: 'demo-ec2', weight: 1, base: 0 }];
        observed.launchType = 'EC2';
        observed.networkConfiguration = {};
        observed.capacityProviderStrategy = [{ capacityProvider: 'demo-ec2', weight: 1, base: 0 }];
      },
      expected: [],
    },
    {
      reason: 'another strategy updates in place (a new deployment moves the tasks)',
      change: (desired, observed) => {
        delete desired.launchType;
        desired.capacityProviderStrategy = [{ capacityProvider: 'demo-ec2', weight: 1, base: 1 }];
        observed.capacityProviderStrategy = [{ capacityProvider: 'demo-ec2', weight: 1, base: 0 }];
      },
      expected: [['capacityProviderStrategy[0].base', false]],
    },
    {
      reason: 'from Fargate to a capacity provider replaces the service',
      change: (desired) => {
        delete desired.launchType;
        desired.capacityProviderStrategy = [{ capacityProvider: 'demo-ec2', weight: 1, base: 0 }];
      },
      expected: [
        ['capacityProviderStrategy', false],
        ['launchType', true],
      ],
    },
  ];
  for (const { reason, change, expected } of cases) {
    const desired = desiredProperties();
    const observed = described();
    change(desired, observed);
    const changes = ecsServiceHandler.diff(desired, normalizeService(observed), {}, {});
    assert.deepStrictEqual(
      changes.map((fieldChange) => [fieldChange.path, fieldChange.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test("ecs-service: an auto scaled count is the scaler's, never a change, and noted in the plan", () => {
  const observed = normalizeService({ ...described(), desiredCount: 5 });
  const scaled = { ...desiredProperties(), autoScaled: true };
  assert.deepStrictEqual(ecsServiceHandler.diff(scaled, observed, {}, {}), []);
  assert.deepStrictEqual(ecsServiceHandler.notes?.(scaled, observed), [
    'desiredCount: managed by auto scaling (now 5)',
  ]);
  const scaledAndChanged = { ...scaled, taskDefinition: `${TASK}0` };
  assert.deepStrictEqual(
    ecsServiceHandler.diff(scaledAndChanged, observed, {}, {}).map((change) => change.path),
    ['taskDefinition'],
    'an update of another field leaves the count out',
  );
  // without autoScaling the spec owns the count again: back to desiredCount
  const owned = desiredProperties();
  assert.deepStrictEqual(
    ecsServiceHandler.diff(owned, observed, {}, {}).map((change) => [change.path, change.after]),
    [['desiredCount', 2]],
  );
  assert.deepStrictEqual(ecsServiceHandler.notes?.(owned, observed), []);
});

const TG = 'arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/demo-api/abc';

function service(overrides: Partial<ServiceSnapshot> = {}): ServiceSnapshot {
  return {
    stack: 'demo',
    address: 'ecs-service.api',
    desiredCount: 2,
    runningCount: 2,
    deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'COMPLETED' }],
    targetHealth: { [TG]: ['healthy', 'healthy'] },
    ...overrides,
  };
}

/** assess lists the verdicts of the services as `apply --wait` prints them: failed ones are problems. */
function assess(services: ServiceSnapshot[]): { waiting: string[]; problems: string[] } {
  const verdicts = services.flatMap(serviceStability);
  const lines = (state: string) =>
    verdicts
      .filter((verdict) => verdict.state === state)
      .map((verdict) => `${verdict.stack}/${verdict.address}: ${verdict.detail}`);
  return { waiting: lines('waiting'), problems: lines('failed') };
}

test('serviceStability', () => {
  const cases: {
    reason: string;
    services: ServiceSnapshot[];
    expected: { waiting: string[]; problems: string[] };
  }[] = [
    {
      reason: 'completed deployment, all tasks running and healthy: stable',
      services: [service()],
      expected: { waiting: [], problems: [] },
    },
    {
      reason: 'deployment in progress with a draining old one',
      services: [
        service({
          runningCount: 1,
          deployments: [
            { id: 'ecs-svc/2', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' },
            { id: 'ecs-svc/1', status: 'ACTIVE', rolloutState: 'COMPLETED' },
          ],
          targetHealth: { [TG]: ['healthy', 'initial'] },
        }),
      ],
      expected: {
        waiting: [
          'demo/ecs-service.api: deployment IN_PROGRESS',
          'demo/ecs-service.api: 1/2 tasks running',
          'demo/ecs-service.api: 1/2 targets healthy in demo-api',
        ],
        problems: [],
      },
    },
    {
      reason: 'the circuit breaker failed the new deployment and rolled back: a problem',
      services: [
        service({
          deployments: [
            {
              id: 'ecs-svc/3',
              status: 'PRIMARY',
              rolloutState: 'IN_PROGRESS',
              rolloutStateReason:
                'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.',
            },
            {
              id: 'ecs-svc/2',
              status: 'ACTIVE',
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            },
          ],
        }),
      ],
      expected: {
        waiting: [],
        problems: [
          'demo/ecs-service.api: deployment ecs-svc/2 failed: ECS deployment circuit breaker: tasks failed to start.',
          'demo/ecs-service.api: the circuit breaker rolled back: ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.',
        ],
      },
    },
    {
      reason: 'unhealthy target keeps waiting (the circuit breaker decides failure)',
      services: [service({ targetHealth: { [TG]: ['healthy', 'healthy', 'unhealthy'] } })],
      expected: {
        waiting: ['demo/ecs-service.api: 2/2 targets healthy in demo-api'],
        problems: [],
      },
    },
    {
      reason: 'a service scaled to zero without a load balancer is stable',
      services: [service({ desiredCount: 0, runningCount: 0, targetHealth: {} })],
      expected: { waiting: [], problems: [] },
    },
  ];
  for (const { reason, services, expected } of cases) {
    assert.deepStrictEqual(assess(services), expected, reason);
  }
  assert.deepStrictEqual(
    serviceStability(service()),
    [{ stack: 'demo', address: 'ecs-service.api', state: 'stable' }],
    'a settled service is one stable verdict',
  );
});
