import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from '@aws-sdk/client-ecs';
import { type EcsServiceProperties, ecsServiceHandler, normalizeService } from './ecs-service.ts';

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
        'moto drops the deployment configuration, grace period and managed tags on create: update',
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
