import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import {
  familiesInScope,
  joinSecretValueFrom,
  normalizeTaskDefinition,
  splitSecretValueFrom,
  type TaskDefinitionProperties,
  taskDefinitionHandler,
} from './task-definition.ts';

const SECRET = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!db-1-AbCdEf';

function desiredProperties(): TaskDefinitionProperties {
  return {
    family: 'demo-api',
    cpu: '512',
    memory: '1024',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    executionRoleArn: 'arn:aws:iam::1:role/demo-execution',
    taskRoleArn: 'arn:aws:iam::1:role/demo-task-api',
    containerDefinitions: [
      {
        name: 'api',
        image: 'api:1',
        essential: true,
        portMappings: [{ containerPort: 3000, hostPort: 3000, protocol: 'tcp' }],
        environment: [
          { name: 'A_FIRST', value: '1' },
          { name: 'DB_HOST', value: 'db.example' },
        ],
        secrets: [{ name: 'DB_PASSWORD', valueFrom: SECRET, jsonKey: 'password' }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '/demo/api',
            'awslogs-region': 'us-west-2',
            'awslogs-stream-prefix': 'api',
          },
        },
        healthCheck: {
          command: ['CMD-SHELL', 'true'],
          interval: 15,
          timeout: 5,
          retries: 3,
          startPeriod: 30,
        },
      },
    ],
  };
}

/** described is the same task definition the way DescribeTaskDefinition returns it, AWS additions included. */
function described(): TaskDefinition {
  return {
    taskDefinitionArn: 'arn:aws:ecs:us-west-2:1:task-definition/demo-api:7',
    family: 'demo-api',
    revision: 7,
    status: 'ACTIVE',
    cpu: '512',
    memory: '1024',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    compatibilities: ['EC2', 'FARGATE'],
    executionRoleArn: 'arn:aws:iam::1:role/demo-execution',
    taskRoleArn: 'arn:aws:iam::1:role/demo-task-api',
    containerDefinitions: [
      {
        name: 'api',
        image: 'api:1',
        cpu: 0,
        portMappings: [{ containerPort: 3000 }],
        environment: [
          { name: 'DB_HOST', value: 'db.example' },
          { name: 'A_FIRST', value: '1' },
        ],
        secrets: [{ name: 'DB_PASSWORD', valueFrom: `${SECRET}:password::` }],
        mountPoints: [],
        volumesFrom: [],
        systemControls: [],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '/demo/api',
            'awslogs-region': 'us-west-2',
            'awslogs-stream-prefix': 'api',
          },
        },
        healthCheck: {
          command: ['CMD-SHELL', 'true'],
          interval: 15,
          timeout: 5,
          retries: 3,
          startPeriod: 30,
        },
      },
    ],
  };
}

function paths(desired: TaskDefinitionProperties, observed: TaskDefinitionProperties) {
  return taskDefinitionHandler
    .diff(desired, observed, {}, {})
    .map((change) => [change.path, change.forcesReplacement]);
}

test('normalizeTaskDefinition removes what AWS adds, so a fresh revision has no diff', () => {
  assert.deepStrictEqual(paths(desiredProperties(), normalizeTaskDefinition(described())), []);
});

test('task definition diff', () => {
  const cases: {
    reason: string;
    change: (desired: TaskDefinitionProperties, observed: TaskDefinition) => void;
    expected: [string, boolean][];
  }[] = [
    {
      reason: 'an image bump is an update (a new revision), never a replace',
      change: (desired) => {
        desired.containerDefinitions[0]!.image = 'api:2';
      },
      expected: [['containerDefinitions[0].image', false]],
    },
    {
      reason: 'environment order does not matter',
      change: (desired) => {
        desired.containerDefinitions[0]!.environment.reverse();
      },
      expected: [],
    },
    {
      reason: 'a new environment variable is an update',
      change: (desired) => {
        desired.containerDefinitions[0]!.environment.push({ name: 'ZED', value: 'z' });
      },
      expected: [['containerDefinitions[0].environment[2]', false]],
    },
    {
      reason: 'cpu is compared as the string AWS returns',
      change: (desired) => {
        desired.cpu = '1024';
      },
      expected: [['cpu', false]],
    },
    {
      reason: 'compatibilities order does not matter',
      change: (desired, observed) => {
        desired.requiresCompatibilities = ['FARGATE', 'EC2'];
        observed.requiresCompatibilities = ['EC2', 'FARGATE'];
      },
      expected: [],
    },
    {
      reason: 'a container health check removed out of band is an update',
      change: (_desired, observed) => {
        delete observed.containerDefinitions?.[0]?.healthCheck;
      },
      expected: [['containerDefinitions[0].healthCheck', false]],
    },
    {
      reason: 'another family is another resource',
      change: (desired) => {
        desired.family = 'demo-web';
      },
      expected: [['family', true]],
    },
    {
      reason: 'a different secret key is an update',
      change: (desired) => {
        desired.containerDefinitions[0]!.secrets[0]!.jsonKey = 'username';
      },
      expected: [['containerDefinitions[0].secrets[0].jsonKey', false]],
    },
  ];
  for (const { reason, change, expected } of cases) {
    const desired = desiredProperties();
    const observed = described();
    change(desired, observed);
    assert.deepStrictEqual(paths(desired, normalizeTaskDefinition(observed)), expected, reason);
  }
});

test('secret valueFrom splits into ARN and JSON key and joins back', () => {
  const cases = [
    {
      reason: 'managed secret with a JSON key',
      valueFrom: `${SECRET}:password::`,
      expected: { valueFrom: SECRET, jsonKey: 'password' },
    },
    { reason: 'whole secret', valueFrom: SECRET, expected: { valueFrom: SECRET } },
    {
      reason: 'SSM parameter name',
      valueFrom: '/demo/flag',
      expected: { valueFrom: '/demo/flag' },
    },
    {
      reason: 'SSM parameter ARN',
      valueFrom: 'arn:aws:ssm:us-west-2:1:parameter/demo/flag',
      expected: { valueFrom: 'arn:aws:ssm:us-west-2:1:parameter/demo/flag' },
    },
    {
      reason: 'a version stage is kept verbatim',
      valueFrom: `${SECRET}:password:AWSPREVIOUS:`,
      expected: { valueFrom: `${SECRET}:password:AWSPREVIOUS:` },
    },
  ];
  for (const { reason, valueFrom, expected } of cases) {
    assert.deepStrictEqual(splitSecretValueFrom(valueFrom), expected, reason);
    assert.deepStrictEqual(joinSecretValueFrom(expected), valueFrom, reason);
  }
});

test('familiesInScope keeps the families of the stacks in scope, by name prefix', () => {
  const families = ['a-api', 'a-b-api', 'ab-api', 'a-', 'other-api', 'a-api', 'shop-worker'];
  const cases: { reason: string; stacks: string[]; expected: string[] }[] = [
    {
      reason: 'stack a also matches a-b-api; the tags decide after the describe',
      stacks: ['a'],
      expected: ['a-api', 'a-b-api'],
    },
    { reason: 'stack a-b matches only its own prefix', stacks: ['a-b'], expected: ['a-b-api'] },
    {
      reason: 'several stacks, duplicates once',
      stacks: ['a-b', 'shop', 'other'],
      expected: ['a-b-api', 'other-api', 'shop-worker'],
    },
    { reason: 'no stack in scope', stacks: [], expected: [] },
  ];
  for (const { reason, stacks, expected } of cases) {
    assert.deepStrictEqual(familiesInScope(families, stacks), expected, reason);
  }
});

test('an update of a task definition registers a new revision: id, arn and revision change', () => {
  assert.deepStrictEqual(taskDefinitionHandler.attributesChangedByUpdate, [
    'id',
    'arn',
    'revision',
  ]);
});
