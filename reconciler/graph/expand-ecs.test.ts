import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EcsServiceProperties } from '../resources/ecs-service.ts';
import type { TaskDefinitionProperties } from '../resources/task-definition.ts';
import { ref } from '../resources/types.ts';
import { withDefaults } from '../spec/defaults.ts';
import type { Service, Stack } from '../spec/types.generated.ts';
import { expandStack } from './expand.ts';
import { expandEcs, healthCheckCommand } from './expand-ecs.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:1:secret:api-key-AbCdEf';

function stack(overrides: Partial<Stack> = {}): Stack {
  return {
    name: 'demo',
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
        logGroup: '/demo/api',
        loadBalancer: {},
        environment: { ZED: 'z', LOG_LEVEL: 'info' },
        secrets: {
          DB_PASSWORD: { fromDatabase: 'password' },
          API_KEY: { secretsManagerArn: SECRET_ARN, jsonKey: 'key' },
          FLAG: { ssmParameter: '/demo/flag' },
        },
      },
      { name: 'worker', image: 'worker:1', port: 4000, logGroup: '/demo/worker' },
    ],
    database: {
      engineVersion: '16.4',
      instanceClass: 'db.t4g.micro',
      databaseName: 'logs',
      masterUsername: 'admin',
    },
    ...overrides,
  };
}

test('expandEcs addresses: a cluster when services exist, a task definition and a service per service', () => {
  const cases = [
    {
      reason: 'two services',
      stack: stack(),
      expected: [
        'ecs-cluster.main',
        'task-definition.api',
        'ecs-service.api',
        'task-definition.worker',
        'ecs-service.worker',
      ],
    },
    { reason: 'no services, no cluster', stack: stack({ services: [] }), expected: [] },
  ];
  for (const { reason, stack: spec, expected } of cases) {
    assert.deepStrictEqual(
      expandEcs(withDefaults(spec)).map((resource) => resource.address),
      expected,
      reason,
    );
  }
});

test('expandEcs task definition: family, roles, secrets by reference, sorted environment with the database', () => {
  const resources = expandEcs(withDefaults(stack()));
  const cluster = resources.find((resource) => resource.address === 'ecs-cluster.main');
  assert.deepStrictEqual(cluster?.properties, { name: 'demo', containerInsights: 'enabled' });
  const api = resources.find((resource) => resource.address === 'task-definition.api');
  const properties = api?.properties as TaskDefinitionProperties;
  assert.deepStrictEqual(
    {
      family: properties.family,
      cpu: properties.cpu,
      memory: properties.memory,
      networkMode: properties.networkMode,
      requiresCompatibilities: properties.requiresCompatibilities,
      executionRoleArn: properties.executionRoleArn,
      taskRoleArn: properties.taskRoleArn,
    },
    {
      family: 'demo-api',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: ref('iam-role.execution', 'arn'),
      taskRoleArn: ref('iam-role.task-api', 'arn'),
    },
  );
  const [container] = properties.containerDefinitions;
  assert.deepStrictEqual(container?.environment, [
    { name: 'DB_HOST', value: ref('db-instance.main', 'endpoint') },
    { name: 'DB_NAME', value: 'logs' },
    { name: 'DB_PORT', value: ref('db-instance.main', 'port') },
    { name: 'DB_USER', value: 'admin' },
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'ZED', value: 'z' },
  ]);
  assert.deepStrictEqual(container?.secrets, [
    { name: 'API_KEY', valueFrom: SECRET_ARN, jsonKey: 'key' },
    {
      name: 'DB_PASSWORD',
      valueFrom: ref('db-instance.main', 'masterUserSecretArn'),
      jsonKey: 'password',
    },
    { name: 'FLAG', valueFrom: '/demo/flag' },
  ]);
  assert.deepStrictEqual(container?.portMappings, [
    { containerPort: 3000, hostPort: 3000, protocol: 'tcp' },
  ]);
  assert.deepStrictEqual(container?.logConfiguration, {
    logDriver: 'awslogs',
    options: {
      'awslogs-group': '/demo/api',
      'awslogs-region': 'us-west-2',
      'awslogs-stream-prefix': 'api',
    },
  });
  assert.deepStrictEqual(container?.healthCheck?.command, healthCheckCommand(3000, '/healthz'));
  assert.deepStrictEqual(api?.dependsOn, ['log-group.demo/api']);

  const withoutDatabase = expandEcs(withDefaults(stack({ database: undefined })));
  const worker = withoutDatabase.find((resource) => resource.address === 'task-definition.worker');
  assert.ok(worker);
  assert.deepStrictEqual(
    (worker.properties as TaskDefinitionProperties).containerDefinitions[0]?.environment,
    [],
    'no DB_* variables without a database',
  );
});

test('expandEcs service: private subnets, its security group, load balancer only when asked', () => {
  const resources = expandEcs(withDefaults(stack()));
  const api = resources.find((resource) => resource.address === 'ecs-service.api');
  const worker = resources.find((resource) => resource.address === 'ecs-service.worker');
  assert.deepStrictEqual(api?.properties as EcsServiceProperties, {
    cluster: ref('ecs-cluster.main', 'arn'),
    serviceName: 'api',
    launchType: 'FARGATE',
    taskDefinition: ref('task-definition.api', 'arn'),
    desiredCount: 1,
    networkConfiguration: {
      subnets: [ref('subnet.private-a'), ref('subnet.private-b')],
      securityGroups: [ref('security-group.service-api')],
      assignPublicIp: 'DISABLED',
    },
    loadBalancers: [
      { targetGroupArn: ref('target-group.api', 'arn'), containerName: 'api', containerPort: 3000 },
    ],
    deploymentConfiguration: {
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    healthCheckGracePeriodSeconds: 60,
    enableECSManagedTags: true,
    propagateTags: 'SERVICE',
  });
  assert.deepStrictEqual(api?.dependsOn, ['listener.http-80']);
  const workerProperties = worker?.properties as EcsServiceProperties;
  assert.deepStrictEqual(workerProperties.loadBalancers, []);
  assert.equal('healthCheckGracePeriodSeconds' in workerProperties, false);
  assert.deepStrictEqual(worker?.dependsOn, []);
});

test('healthCheckCommand fetches the path with node, exiting 1 on failure', () => {
  assert.deepStrictEqual(healthCheckCommand(8080, '/ready'), [
    'CMD-SHELL',
    `node -e "fetch('http://127.0.0.1:8080/ready').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"`,
  ]);
});

/** scaled is the stack with its first service changed (auto scaling), expanded by address. */
function scaled(service: Partial<Service>) {
  const spec = stack();
  const [first, ...rest] = spec.services ?? [];
  spec.services = [{ ...(first as Service), ...service }, ...rest];
  return new Map(expandStack(spec).map((resource) => [resource.address, resource]));
}

test('autoScaling expands to a scalable target after the service and one policy per metric', () => {
  const resources = scaled({
    desiredCount: 1,
    autoScaling: {
      minTasks: 2,
      maxTasks: 6,
      cpu: 60,
      requestsPerTarget: 500,
      scaleOutCooldownSeconds: 60,
      scheduled: [{ name: 'night', schedule: 'cron(0 22 * * ? *)', minTasks: 1, maxTasks: 2 }],
    },
  });
  const target = resources.get('scalable-target.api');
  assert.deepStrictEqual(target?.properties, {
    resourceId: 'service/demo/api',
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
    resourceId: 'service/demo/api',
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
    const resources = scaled(service);
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
