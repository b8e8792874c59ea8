/**
 * The db-replica kind on moto: a read replica of the stack's instance is created from the
 * expansion, observed once (and not as a second db-instance), a drift of its class corrected in
 * place, and deleted (a second delete succeeds).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DescribeDBInstancesCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { addresses } from '../reconciler/graph/addresses.ts';
import { expandDatabase } from '../reconciler/graph/expand-database.ts';
import { dbInstanceHandler } from '../reconciler/resources/db-instance.ts';
import { type DbReplicaProperties, dbReplicaHandler } from '../reconciler/resources/db-replica.ts';
import { dbSubnetGroupHandler } from '../reconciler/resources/db-subnet-group.ts';
import type { DesiredResource, ResourceContext } from '../reconciler/resources/types.ts';
import { withDefaults } from '../reconciler/spec/defaults.ts';
import { context, createNetworkFixtures, demoStack, resolve } from './ecs-fixtures.ts';
import { localCloudForFile } from './helpers/moto.ts';

let ctx: ResourceContext;

const cloud = localCloudForFile();

test('read replica: create, observe apart from the instance, drift corrected, delete', async () => {
  const stack = demoStack('demo');
  assert.ok(stack.database);
  stack.database.readReplicas = 1;
  stack.database.readReplicaInstanceClass = 'db.t4g.small';
  ctx = context(cloud.clients, ['demo']);
  const attributes = await createNetworkFixtures(cloud.clients, stack);
  const expanded = expandDatabase(withDefaults(stack));
  const desiredOf = <P>(address: string) => {
    const found = expanded.find((resource) => resource.address === address);
    assert.ok(found, `${address} is expanded`);
    return resolve(found as DesiredResource<P>, attributes);
  };
  for (const address of [addresses.dbSubnetGroup(), addresses.dbInstance()]) {
    const handler = address === addresses.dbInstance() ? dbInstanceHandler : dbSubnetGroupHandler;
    const made = await handler.create(ctx, desiredOf(address) as never);
    attributes.set(made.address, made.attributes);
  }
  const desired = desiredOf<DbReplicaProperties>(addresses.dbReplica(1));
  const created = await dbReplicaHandler.create(ctx, desired);
  assert.equal(created.id, 'demo-db-replica-1');
  assert.ok(created.attributes.endpoint, 'the replica has an endpoint of its own');

  const replicas = await dbReplicaHandler.observeAll(ctx);
  const instances = await dbInstanceHandler.observeAll(ctx);
  assert.deepStrictEqual(
    [replicas.map((r) => [r.address, r.id]), instances.map((i) => [i.address, i.id])],
    [[['db-replica.1', 'demo-db-replica-1']], [['db-instance.main', 'demo-db']]],
  );
  const replica = replicas[0]!;
  assert.deepStrictEqual(
    dbReplicaHandler.diff(desired.properties, replica.properties, desired.tags, replica.tags),
    [],
  );
  assert.equal(replica.properties.sourceIdentifier, 'demo-db');

  await cloud.clients.rds.send(
    new ModifyDBInstanceCommand({
      DBInstanceIdentifier: 'demo-db-replica-1',
      DBInstanceClass: 'db.t4g.large',
      ApplyImmediately: true,
    }),
  );
  const [drifted] = await dbReplicaHandler.observeAll(ctx);
  const changes = dbReplicaHandler.diff(
    desired.properties,
    drifted!.properties,
    desired.tags,
    drifted!.tags,
  );
  assert.deepStrictEqual(
    changes.map((change) => [change.path, change.before, change.after, change.forcesReplacement]),
    [['instanceClass', 'db.t4g.large', 'db.t4g.small', false]],
  );
  await dbReplicaHandler.update(ctx, desired, drifted!, changes);
  const [corrected] = await dbReplicaHandler.observeAll(ctx);
  assert.equal(corrected!.properties.instanceClass, 'db.t4g.small');

  await dbReplicaHandler.delete(ctx, corrected!, { deletionPolicy: 'delete' });
  await dbReplicaHandler.delete(ctx, corrected!, { deletionPolicy: 'delete' });
  assert.deepStrictEqual(await dbReplicaHandler.observeAll(ctx), []);
  const left = await cloud.clients.rds.send(new DescribeDBInstancesCommand({}));
  assert.deepStrictEqual(
    left.DBInstances?.map((instance) => instance.DBInstanceIdentifier),
    ['demo-db'],
  );
});
