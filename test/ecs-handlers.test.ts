import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  CreateClusterCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { TAG_STACK } from '../reconciler/aws/tags.ts';
import { addresses } from '../reconciler/graph/addresses.ts';
import { expandEcs } from '../reconciler/graph/expand-ecs.ts';
import { ecsClusterHandler } from '../reconciler/resources/ecs-cluster.ts';
import {
  type EcsServiceProperties,
  ecsServiceHandler,
} from '../reconciler/resources/ecs-service.ts';
import {
  type TaskDefinitionProperties,
  taskDefinitionHandler,
} from '../reconciler/resources/task-definition.ts';
import type {
  DesiredResource,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
} from '../reconciler/resources/types.ts';
import { withDefaults } from '../reconciler/spec/defaults.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import {
  type Attributes,
  context,
  createNetworkFixtures,
  demoStack,
  resolve,
} from './ecs-fixtures.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

// The database is another suite's; its attributes are given so the DB_* variables and the
// managed-secret reference resolve.
const DB_SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!db-demo-AbCdEf';

let moto: MotoServer;
let clients: AwsClients;
let ctx: ResourceContext;

before(async () => {
  moto = await startMoto();
});
after(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  clients?.destroy();
  clients = createClients({ region: 'us-west-2' });
  ctx = context(clients, ['demo']);
});

function ecsStack(): Stack {
  const stack = demoStack('demo');
  const [service] = stack.services ?? [];
  assert.ok(service);
  service.secrets = { ...service.secrets, DB_PASSWORD: { fromDatabase: 'password' } };
  return stack;
}

function desiredByAddress(stack: Stack): Map<string, DesiredResource> {
  return new Map(expandEcs(withDefaults(stack)).map((resource) => [resource.address, resource]));
}

async function fixtures(stack: Stack): Promise<Attributes> {
  const attributes = await createNetworkFixtures(clients, stack);
  attributes.set(addresses.dbInstance(), {
    id: 'demo-db',
    endpoint: 'demo-db.abc.us-west-2.rds.amazonaws.com',
    port: '5432',
    masterUserSecretArn: DB_SECRET_ARN,
  });
  return attributes;
}

async function createAll(
  stack: Stack,
  attributes: Attributes,
): Promise<{
  cluster: ObservedResource;
  taskDefinition: ObservedResource<TaskDefinitionProperties>;
  service: ObservedResource<EcsServiceProperties>;
}> {
  const desired = desiredByAddress(stack);
  const cluster = await ecsClusterHandler.create(
    ctx,
    resolve(desired.get(addresses.ecsCluster()) as DesiredResource<never>, attributes),
  );
  attributes.set(cluster.address, cluster.attributes);
  const taskDefinition = await taskDefinitionHandler.create(
    ctx,
    resolve(
      desired.get(addresses.taskDefinition('api')) as DesiredResource<TaskDefinitionProperties>,
      attributes,
    ),
  );
  attributes.set(taskDefinition.address, taskDefinition.attributes);
  const service = await ecsServiceHandler.create(
    ctx,
    resolve(
      desired.get(addresses.ecsService('api')) as DesiredResource<EcsServiceProperties>,
      attributes,
    ),
  );
  return { cluster, taskDefinition, service };
}

async function observeOne<P extends Record<string, unknown>>(
  handler: ResourceHandler<P>,
  address: string,
): Promise<ObservedResource<P>> {
  const observed = await handler.observeAll(ctx);
  const matching = observed.filter((resource) => resource.address === address);
  assert.equal(matching.length, 1, `exactly one ${address} observed`);
  return matching[0] as ObservedResource<P>;
}

function diffOf<P extends Record<string, unknown>>(
  handler: ResourceHandler<P>,
  desired: DesiredResource<P>,
  observed: ObservedResource<P>,
) {
  return handler.diff(desired.properties, observed.properties, desired.tags, observed.tags);
}

test('create, then a batched observe finds exactly one of each and the diff is empty', async () => {
  const stack = ecsStack();
  const attributes = await fixtures(stack);
  const created = await createAll(stack, attributes);
  const desired = desiredByAddress(stack);

  const cluster = await observeOne(ecsClusterHandler, addresses.ecsCluster());
  assert.equal(cluster.id, created.cluster.id);
  assert.deepEqual(cluster.properties, { name: 'demo', containerInsights: 'enabled' });
  assert.deepEqual(
    diffOf(
      ecsClusterHandler,
      resolve(desired.get(cluster.address) as DesiredResource<never>, attributes),
      cluster,
    ),
    [],
  );

  const taskDefinition = await observeOne(taskDefinitionHandler, addresses.taskDefinition('api'));
  assert.equal(taskDefinition.attributes.arn, created.taskDefinition.attributes.arn);
  assert.equal(taskDefinition.attributes.family, 'demo-api');
  const desiredTaskDefinition = resolve(
    desired.get(taskDefinition.address) as DesiredResource<TaskDefinitionProperties>,
    attributes,
  );
  assert.deepEqual(diffOf(taskDefinitionHandler, desiredTaskDefinition, taskDefinition), []);
  const described = await clients.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinition.id }),
  );
  const secrets = described.taskDefinition?.containerDefinitions?.[0]?.secrets ?? [];
  assert.deepEqual(
    secrets.find((secret) => secret.name === 'DB_PASSWORD')?.valueFrom,
    `${DB_SECRET_ARN}:password::`,
    'the managed secret is referenced with its JSON key',
  );

  attributes.set(taskDefinition.address, taskDefinition.attributes);
  const desiredService = resolve(
    desired.get(addresses.ecsService('api')) as DesiredResource<EcsServiceProperties>,
    attributes,
  );
  const service = await observeOne(ecsServiceHandler, addresses.ecsService('api'));
  assert.equal(service.id, created.service.id);
  // every CreateService input is kept: the service converged on create
  assert.deepEqual(diffOf(ecsServiceHandler, desiredService, service), []);
  assert.equal(service.properties.enableECSManagedTags, true);
  assert.ok(desiredService.properties.healthCheckGracePeriodSeconds !== undefined);
  assert.equal(
    service.properties.healthCheckGracePeriodSeconds,
    desiredService.properties.healthCheckGracePeriodSeconds,
  );
  assert.deepEqual(service.properties.deploymentConfiguration, {
    minimumHealthyPercent: 50,
    maximumPercent: 200,
    deploymentCircuitBreaker: { enable: true, rollback: true },
  });
  // observe is batched: a fixed number of calls whatever the number of services

  clients.stats.reset();
  await ecsServiceHandler.observeAll(ctx);
  const calls = clients.stats.entries().map(({ operation, count }) => [operation, count]);
  assert.deepEqual(calls, [
    ['DescribeClusters', 1],
    ['DescribeServices', 1],
    ['ListServices', 1],
  ]);

  // clusters of another stack, or untagged, are not observed

  await clients.ecs.send(
    new CreateClusterCommand({ clusterName: 'other', tags: [{ key: TAG_STACK, value: 'other' }] }),
  );
  await clients.ecs.send(
    new CreateClusterCommand({ clusterName: 'loose', tags: [{ key: 'x', value: 'y' }] }),
  );
  const clusters = await ecsClusterHandler.observeAll(ctx);
  assert.deepEqual(
    clusters.map((cluster) => cluster.properties.name),
    ['demo'],
  );
});

test('drift (desired count, security group, tag) is corrected; an image bump registers a new revision and prunes old ones; a target group moves in place', async () => {
  const stack = ecsStack();
  const attributes = await fixtures(stack);
  const created = await createAll(stack, attributes);
  attributes.set(created.taskDefinition.address, created.taskDefinition.attributes);
  const desiredService = resolve(
    desiredByAddress(stack).get(
      addresses.ecsService('api'),
    ) as DesiredResource<EcsServiceProperties>,
    attributes,
  );
  const initial = await observeOne(ecsServiceHandler, addresses.ecsService('api'));
  await ecsServiceHandler.update(
    ctx,
    desiredService,
    initial,
    diffOf(ecsServiceHandler, desiredService, initial),
  );

  const subnets = [
    attributes.get('subnet.private-a')?.id ?? '',
    attributes.get('subnet.private-b')?.id ?? '',
  ];
  await clients.ecs.send(
    new UpdateServiceCommand({
      cluster: 'demo',
      service: 'api',
      desiredCount: 5,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets,
          securityGroups: [attributes.get('security-group.spare')?.id ?? ''],
          assignPublicIp: 'DISABLED',
        },
      },
    }),
  );
  await clients.ecs.send(
    new UntagResourceCommand({ resourceArn: created.service.id, tagKeys: ['environment'] }),
  );

  const drifted = await observeOne(ecsServiceHandler, addresses.ecsService('api'));
  const changes = diffOf(ecsServiceHandler, desiredService, drifted);
  assert.deepEqual(
    changes.map((change) => [change.path, change.before, change.after]),
    [
      ['desiredCount', 5, 2],
      [
        'networkConfiguration.securityGroups[0]',
        attributes.get('security-group.spare')?.id,
        attributes.get(addresses.serviceSecurityGroup('api'))?.id,
      ],
      ['tags.environment', undefined, 'test'],
    ],
  );
  assert.ok(changes.every((change) => !change.forcesReplacement));
  await ecsServiceHandler.update(ctx, desiredService, drifted, changes);
  const corrected = await observeOne(ecsServiceHandler, addresses.ecsService('api'));
  assert.deepEqual(diffOf(ecsServiceHandler, desiredService, corrected), []);

  // an image bump is one task definition update (new revision) and one service update
  let current = await observeOne(taskDefinitionHandler, addresses.taskDefinition('api'));
  let lastArn = current.attributes.arn ?? '';
  for (const version of ['1.0.1', '1.0.2', '1.0.3', '1.0.4']) {
    const bumped = ecsStack();
    const [service] = bumped.services ?? [];
    assert.ok(service);
    service.image = `public.ecr.aws/demo/api:${version}`;
    const desired = resolve(
      desiredByAddress(bumped).get(
        addresses.taskDefinition('api'),
      ) as DesiredResource<TaskDefinitionProperties>,
      attributes,
    );
    const observed = await observeOne(taskDefinitionHandler, addresses.taskDefinition('api'));
    assert.equal(observed.attributes.arn, lastArn, 'observe reads the newest active revision');
    const changes = diffOf(taskDefinitionHandler, desired, observed);
    assert.deepEqual(
      changes.map((change) => [change.path, change.after, change.forcesReplacement]),
      [['containerDefinitions[0].image', `public.ecr.aws/demo/api:${version}`, false]],
    );
    current = await taskDefinitionHandler.update(ctx, desired, observed, changes);
    assert.notEqual(current.attributes.arn, lastArn, 'a new revision is registered');
    lastArn = current.attributes.arn ?? '';
  }
  assert.equal(current.attributes.revision, '5');
  const active = await clients.ecs.send(
    new ListTaskDefinitionsCommand({ familyPrefix: 'demo-api', status: 'ACTIVE' }),
  );
  assert.deepEqual((active.taskDefinitionArns ?? []).map((arn) => arn.split(':').pop()).sort(), [
    '3',
    '4',
    '5',
  ]);

  attributes.set(current.address, current.attributes);
  const bumpedService = resolve(
    desiredByAddress(ecsStack()).get(
      addresses.ecsService('api'),
    ) as DesiredResource<EcsServiceProperties>,
    attributes,
  );
  const service = await observeOne(ecsServiceHandler, addresses.ecsService('api'));
  const serviceChanges = diffOf(ecsServiceHandler, bumpedService, service);
  assert.deepEqual(
    serviceChanges.map((change) => [change.path, change.after]),
    [['taskDefinition', lastArn]],
  );
  await ecsServiceHandler.update(ctx, bumpedService, service, serviceChanges);
  const described = await clients.ecs.send(
    new DescribeServicesCommand({ cluster: 'demo', services: ['api'], include: ['TAGS'] }),
  );
  assert.equal(described.services?.[0]?.taskDefinition, lastArn);

  // another target group is an in-place UpdateService, not a replacement
  const otherGroup = await clients.elbv2.send(
    new CreateTargetGroupCommand({
      Name: 'demo-api-blue',
      Protocol: 'HTTP',
      Port: 3000,
      VpcId: attributes.get('vpc.main')?.id,
      TargetType: 'ip',
    }),
  );
  const otherGroupArn = otherGroup.TargetGroups?.[0]?.TargetGroupArn ?? '';
  const movedService = {
    ...bumpedService,
    properties: {
      ...bumpedService.properties,
      loadBalancers: [{ targetGroupArn: otherGroupArn, containerName: 'api', containerPort: 3000 }],
    },
  };
  const beforeMove = await observeOne(ecsServiceHandler, addresses.ecsService('api'));
  const moveChanges = diffOf(ecsServiceHandler, movedService, beforeMove);
  assert.deepEqual(
    moveChanges.map((change) => [change.path, change.after, change.forcesReplacement]),
    [['loadBalancers[0].targetGroupArn', otherGroupArn, false]],
  );
  await ecsServiceHandler.update(ctx, movedService, beforeMove, moveChanges);
  const moved = await observeOne(ecsServiceHandler, addresses.ecsService('api'));
  assert.equal(moved.id, beforeMove.id, 'the same service');
  assert.deepEqual(diffOf(ecsServiceHandler, movedService, moved), []);
});

test('delete: service then task definition then cluster, each idempotent; retain only untags', async () => {
  const stack = ecsStack();
  const attributes = await fixtures(stack);
  await createAll(stack, attributes);
  const cluster = await observeOne(ecsClusterHandler, addresses.ecsCluster());
  const service = await observeOne(ecsServiceHandler, addresses.ecsService('api'));
  const taskDefinition = await observeOne(taskDefinitionHandler, addresses.taskDefinition('api'));

  await assert.rejects(
    ecsClusterHandler.delete(ctx, cluster, { deletionPolicy: 'delete' }),
    /cannot delete ecs-cluster\.main: 1 services remain/,
  );

  await ecsServiceHandler.delete(ctx, service, { deletionPolicy: 'retain' });
  const retained = await clients.ecs.send(
    new DescribeServicesCommand({ cluster: 'demo', services: ['api'], include: ['TAGS'] }),
  );
  assert.equal(retained.services?.[0]?.status, 'ACTIVE');
  assert.deepEqual((retained.services?.[0]?.tags ?? []).map((tag) => tag.key).sort(), [
    'environment',
    'project',
  ]);

  await ecsServiceHandler.delete(ctx, service, { deletionPolicy: 'delete' });
  await ecsServiceHandler.delete(ctx, service, { deletionPolicy: 'delete' });
  assert.deepEqual(await ecsServiceHandler.observeAll(ctx), []);

  await taskDefinitionHandler.delete(ctx, taskDefinition, { deletionPolicy: 'delete' });
  await taskDefinitionHandler.delete(ctx, taskDefinition, { deletionPolicy: 'delete' });
  assert.deepEqual(await taskDefinitionHandler.observeAll(ctx), []);

  await ecsClusterHandler.delete(ctx, cluster, { deletionPolicy: 'delete' });
  await ecsClusterHandler.delete(ctx, cluster, { deletionPolicy: 'delete' });
  assert.deepEqual(await ecsClusterHandler.observeAll(ctx), []);
});
