import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
  ModifyDBSubnetGroupCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-rds';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { tagListToMap } from '../reconciler/aws/tags.ts';
import { addresses } from '../reconciler/graph/addresses.ts';
import { expandDatabase } from '../reconciler/graph/expand-database.ts';
import {
  type DbInstanceProperties,
  dbInstanceHandler,
} from '../reconciler/resources/db-instance.ts';
import {
  type DbSubnetGroupProperties,
  dbSubnetGroupHandler,
} from '../reconciler/resources/db-subnet-group.ts';
import type {
  DeletionPolicy,
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
});

function databaseStack(name: string, deletionPolicy: DeletionPolicy): Stack {
  const stack = demoStack(name);
  assert.ok(stack.database);
  stack.database.deletionPolicy = deletionPolicy;
  return stack;
}

function desiredOf<P>(stack: Stack, address: string, attributes: Attributes): DesiredResource<P> {
  const found = expandDatabase(withDefaults(stack)).find(
    (resource) => resource.address === address,
  );
  assert.ok(found, `${address} is expanded`);
  return resolve(found as DesiredResource<P>, attributes);
}

async function observeOne<P extends Record<string, unknown>>(
  handler: ResourceHandler<P>,
  stack: string,
  address: string,
): Promise<ObservedResource<P>> {
  const observed = (await handler.observeAll(ctx)).filter(
    (resource) => resource.stack === stack && resource.address === address,
  );
  assert.equal(observed.length, 1, `exactly one ${address} of ${stack} observed`);
  return observed[0] as ObservedResource<P>;
}

function diffOf<P extends Record<string, unknown>>(
  handler: ResourceHandler<P>,
  desired: DesiredResource<P>,
  observed: ObservedResource<P>,
) {
  return handler.diff(desired.properties, observed.properties, desired.tags, observed.tags);
}

/** createDatabase creates the subnet group and the instance of `stack` and returns the desired instance. */
async function createDatabase(stack: Stack, attributes: Attributes) {
  const desiredGroup = desiredOf<DbSubnetGroupProperties>(
    stack,
    addresses.dbSubnetGroup(),
    attributes,
  );
  const group = await dbSubnetGroupHandler.create(ctx, desiredGroup);
  attributes.set(group.address, group.attributes);
  const desiredInstance = desiredOf<DbInstanceProperties>(
    stack,
    addresses.dbInstance(),
    attributes,
  );
  const instance = await dbInstanceHandler.create(ctx, desiredInstance);
  return { desiredGroup, group, desiredInstance, instance };
}

test('subnet group and instance: create, observe once, empty diff, drift of each corrected by update', async () => {
  const stack = databaseStack('demo', 'snapshot');
  ctx = context(clients, ['demo']);
  const attributes = await createNetworkFixtures(clients, stack);
  const {
    desiredGroup,
    desiredInstance,
    instance: created,
  } = await createDatabase(stack, attributes);
  assert.ok(created.attributes.masterUserSecretArn, 'RDS manages the master password');

  const group = await observeOne(dbSubnetGroupHandler, 'demo', addresses.dbSubnetGroup());
  assert.equal(group.id, 'demo-db');
  assert.deepEqual(diffOf(dbSubnetGroupHandler, desiredGroup, group), []);

  const instance = await observeOne(dbInstanceHandler, 'demo', addresses.dbInstance());
  assert.equal(instance.id, 'demo-db');
  assert.deepEqual(diffOf(dbInstanceHandler, desiredInstance, instance), []);
  assert.equal(instance.properties.deletionProtection, true);
  assert.equal(instance.attributes.masterUserSecretArn, created.attributes.masterUserSecretArn);
  assert.ok(instance.attributes.endpoint);
  assert.equal(instance.attributes.port, '5432');

  // out of band: backups shortened, the upgrade log export turned off, a tag removed
  await clients.rds.send(
    new ModifyDBInstanceCommand({
      DBInstanceIdentifier: 'demo-db',
      BackupRetentionPeriod: 1,
      CloudwatchLogsExportConfiguration: { DisableLogTypes: ['upgrade'] },
      ApplyImmediately: true,
    }),
  );
  await clients.rds.send(
    new RemoveTagsFromResourceCommand({
      ResourceName: instance.attributes.arn,
      TagKeys: ['project'],
    }),
  );
  const drifted = await observeOne(dbInstanceHandler, 'demo', addresses.dbInstance());
  const changes = diffOf(dbInstanceHandler, desiredInstance, drifted);
  assert.deepEqual(
    changes.map((change) => [change.path, change.before, change.after, change.forcesReplacement]),
    [
      ['backupRetentionPeriod', 1, 7, false],
      ['enableCloudwatchLogsExports[1]', undefined, 'upgrade', false],
      ['tags.project', undefined, 'ecs-rds-test', false],
    ],
  );
  await dbInstanceHandler.update(ctx, desiredInstance, drifted, changes);
  const corrected = await observeOne(dbInstanceHandler, 'demo', addresses.dbInstance());
  assert.deepEqual(diffOf(dbInstanceHandler, desiredInstance, corrected), []);

  // out of band: the subnet group loses one of its subnets, and gets it back in place
  const [kept] = group.properties.subnetIds as string[];
  await clients.rds.send(
    new ModifyDBSubnetGroupCommand({ DBSubnetGroupName: 'demo-db', SubnetIds: [kept!] }),
  );
  const shrunk = await observeOne(dbSubnetGroupHandler, 'demo', addresses.dbSubnetGroup());
  assert.equal(shrunk.id, group.id, 'the same group, modified in place');
  const groupChanges = diffOf(dbSubnetGroupHandler, desiredGroup, shrunk);
  assert.ok(groupChanges.length > 0, 'the lost subnet is drift');
  assert.ok(
    groupChanges.every(
      (change) => change.path.startsWith('subnetIds') && !change.forcesReplacement,
    ),
    JSON.stringify(groupChanges),
  );
  await dbSubnetGroupHandler.update(ctx, desiredGroup, shrunk, groupChanges);
  const restored = await observeOne(dbSubnetGroupHandler, 'demo', addresses.dbSubnetGroup());
  assert.deepEqual(diffOf(dbSubnetGroupHandler, desiredGroup, restored), []);
});

test('delete by policy: snapshot keeps a final snapshot, retain only untags, delete removes; a second delete succeeds', async () => {
  ctx = context(clients, ['snap', 'keep', 'gone']);
  const stacks = {
    snap: databaseStack('snap', 'snapshot'),
    keep: databaseStack('keep', 'retain'),
    gone: databaseStack('gone', 'delete'),
  };
  const attributes = await createNetworkFixtures(clients, stacks.snap);
  for (const stack of Object.values(stacks)) {
    await createDatabase(stack, new Map(attributes));
  }
  const instances = await dbInstanceHandler.observeAll(ctx);
  assert.deepEqual(
    instances
      .map((instance) => [instance.stack, instance.id, instance.properties.deletionProtection])
      .sort(),
    [
      ['gone', 'gone-db', false],
      ['keep', 'keep-db', true],
      ['snap', 'snap-db', true],
    ],
  );

  for (const [name, policy] of [
    ['snap', 'snapshot'],
    ['keep', 'retain'],
    ['gone', 'delete'],
  ] as const) {
    const instance = await observeOne(dbInstanceHandler, name, addresses.dbInstance());
    await dbInstanceHandler.delete(ctx, instance, { deletionPolicy: policy });
    await dbInstanceHandler.delete(ctx, instance, { deletionPolicy: policy });
  }

  const snapshots = await clients.rds.send(new DescribeDBSnapshotsCommand({}));
  const finalSnapshots = (snapshots.DBSnapshots ?? [])
    .map((snapshot) => snapshot.DBSnapshotIdentifier ?? '')
    .filter((id) => id.includes('-final-'));
  assert.equal(finalSnapshots.length, 1);
  assert.match(finalSnapshots[0] ?? '', /^snap-db-final-\d{14}$/);

  const remaining = await clients.rds.send(new DescribeDBInstancesCommand({}));
  const left = (remaining.DBInstances ?? []).filter(
    (instance) => instance.DBInstanceStatus !== 'deleting',
  );
  assert.deepEqual(
    left.map((instance) => instance.DBInstanceIdentifier),
    ['keep-db'],
  );
  const keptTags = tagListToMap(left[0]?.TagList);
  assert.deepEqual(Object.keys(keptTags).sort(), ['environment', 'project']);
  assert.equal(left[0]?.DeletionProtection, true, 'a retained database stays protected');
  assert.deepEqual(await dbInstanceHandler.observeAll(ctx), []);

  for (const name of ['snap', 'gone'] as const) {
    const group = await observeOne(dbSubnetGroupHandler, name, addresses.dbSubnetGroup());
    await dbSubnetGroupHandler.delete(ctx, group, { deletionPolicy: 'delete' });
    await dbSubnetGroupHandler.delete(ctx, group, { deletionPolicy: 'delete' });
  }
  const groups = await dbSubnetGroupHandler.observeAll(ctx);
  assert.deepEqual(
    groups.map((group) => group.id),
    ['keep-db'],
  );
});

test('a create whose name is taken: our group and instance are taken back, a hand-made one is refused', async () => {
  const stack = databaseStack('demo', 'delete');
  ctx = context(clients, ['demo']);
  const attributes = await createNetworkFixtures(clients, stack);
  // the first tries made both; their responses were lost, so the creates run again
  const { desiredGroup, group, desiredInstance, instance } = await createDatabase(
    stack,
    new Map(attributes),
  );
  const groupAgain = await dbSubnetGroupHandler.create(ctx, desiredGroup);
  const instanceAgain = await dbInstanceHandler.create(ctx, desiredInstance);
  assert.deepEqual(
    [groupAgain.id, groupAgain.properties, instanceAgain.id, instanceAgain.properties.identifier],
    [group.id, group.properties, instance.id, instance.properties.identifier],
  );
  await observeOne(dbSubnetGroupHandler, 'demo', addresses.dbSubnetGroup());
  const observed = await observeOne(dbInstanceHandler, 'demo', addresses.dbInstance());
  assert.deepEqual(diffOf(dbInstanceHandler, desiredInstance, observed), []);

  // a group and an instance made by hand hold the names another stack wants: not owned
  const other = context(clients, ['other']);
  const otherStack = databaseStack('other', 'delete');
  const otherAttributes = new Map(attributes);
  const wantedGroup = desiredOf<DbSubnetGroupProperties>(
    otherStack,
    addresses.dbSubnetGroup(),
    otherAttributes,
  );
  const handMade = await dbSubnetGroupHandler.create(other, { ...wantedGroup, tags: {} });
  otherAttributes.set(handMade.address, handMade.attributes);
  const [unownedGroup] = await dbSubnetGroupHandler.findUnowned!(other, [wantedGroup]);
  assert.deepEqual([unownedGroup?.address, unownedGroup?.id], [handMade.address, 'other-db']);
  const wantedInstance = desiredOf<DbInstanceProperties>(
    otherStack,
    addresses.dbInstance(),
    otherAttributes,
  );
  await dbInstanceHandler.create(other, { ...wantedInstance, tags: { made: 'by hand' } });
  await assert.rejects(dbInstanceHandler.create(other, wantedInstance), {
    message: `cannot create db-instance.main: other-db already exists and is not owned by db-instance.main of stack other: adopt it with \`reconciler adopt --stack other db-instance.main other-db\``,
  });
  assert.deepEqual(await dbInstanceHandler.observeAll(other), []);
});
