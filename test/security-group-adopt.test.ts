/**
 * A security group's name is unique in its VPC: one that lost its ownership tags out of band is
 * found by name as "not owned" (never created twice) and adopt takes it back. The look-up costs
 * nothing when no group can exist yet (its VPC is a Ref or not known) or nothing is missing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DeleteTagsCommand,
} from '@aws-sdk/client-ec2';
import { createClients } from '../reconciler/aws/clients.ts';
import { isManagementTag, managementTags } from '../reconciler/aws/tags.ts';
import { silentLogger } from '../reconciler/engine/reconcile.ts';
import { UNKNOWN } from '../reconciler/plan/types.ts';
import {
  type SecurityGroupProperties,
  securityGroupHandler,
} from '../reconciler/resources/security-group.ts';
import { type DesiredResource, ref } from '../reconciler/resources/types.ts';
import { vpcHandler } from '../reconciler/resources/vpc.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const STACK = 'adopt-sg';
let moto: MotoServer;

before(async () => {
  moto = await startMoto();
});
after(async () => {
  await moto?.stop();
});

function group(
  address: string,
  name: string,
  vpcId: unknown,
): DesiredResource<SecurityGroupProperties> {
  return {
    address,
    kind: 'security-group',
    stack: STACK,
    region: 'us-west-2',
    properties: {
      vpcId: vpcId as string,
      groupName: name,
      description: `${name} of stack ${STACK}`,
      ingress: [{ protocol: 'tcp', fromPort: 5432, toPort: 5432, cidr: '10.0.0.0/16' }],
      egress: [{ protocol: '-1', fromPort: -1, toPort: -1, cidr: '0.0.0.0/0' }],
    },
    tags: { ...managementTags(STACK, address), Name: name },
    dependsOn: [],
    deletionPolicy: 'delete',
  };
}

test('a security group without our tags is found by name, adopted, then observed with no diff', async (t) => {
  const clients = createClients({ region: 'us-west-2' });
  t.after(() => clients.destroy());
  const ctx = { clients, region: 'us-west-2', stacks: [STACK], log: silentLogger };
  const vpc = await vpcHandler.create(ctx, {
    address: 'vpc.main',
    kind: 'vpc',
    stack: STACK,
    region: 'us-west-2',
    properties: { cidrBlock: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true },
    tags: managementTags(STACK, 'vpc.main'),
    dependsOn: [],
    deletionPolicy: 'delete',
  });
  const database = group('security-group.database', `${STACK}-db`, vpc.id);
  const owned = group('security-group.load-balancer', `${STACK}-lb`, vpc.id);
  const made = await securityGroupHandler.create(ctx, database);
  await securityGroupHandler.create(ctx, owned);
  // made by hand with the same name in another VPC: not the one the stack wants
  const otherVpc = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
  await clients.ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: database.properties.groupName,
      Description: 'by hand',
      VpcId: otherVpc.Vpc?.VpcId,
    }),
  );
  await clients.ec2.send(
    new DeleteTagsCommand({
      Resources: [made.id],
      Tags: Object.keys(made.tags)
        .filter(isManagementTag)
        .map((Key) => ({ Key })),
    }),
  );
  assert.deepEqual(
    (await securityGroupHandler.observeAll(ctx)).map((resource) => resource.address),
    [owned.address],
    'observe no longer sees the group',
  );

  clients.stats.reset();
  const unreachable = [
    group('security-group.service-api', `${STACK}-svc-api`, ref('vpc.main')),
    group('security-group.service-worker', `${STACK}-svc-worker`, UNKNOWN),
  ];
  assert.deepEqual(await securityGroupHandler.findUnowned!(ctx, unreachable), []);
  assert.deepEqual(await securityGroupHandler.findUnowned!(ctx, []), []);
  assert.deepEqual(clients.stats.entries(), [], 'no call when no group can exist yet');

  const found = await securityGroupHandler.findUnowned!(ctx, [database, owned, ...unreachable]);
  assert.deepEqual(
    clients.stats.entries().map((call) => [call.operation, call.count]),
    [['DescribeSecurityGroups', 1]],
    'one look-up for the VPC',
  );
  assert.deepEqual(
    found.map((resource) => [resource.stack, resource.address, resource.id]),
    [[STACK, database.address, made.id]],
    'only the untagged group of the stack VPC, under the address that wants its name',
  );

  await securityGroupHandler.adopt!(ctx, found[0]!, database);
  const observed = await securityGroupHandler.observeAll(ctx);
  const adopted = observed.find((resource) => resource.address === database.address);
  assert.ok(adopted, 'observe sees the adopted group');
  assert.equal(adopted.id, made.id);
  assert.deepEqual(
    securityGroupHandler.diff(database.properties, adopted.properties, database.tags, adopted.tags),
    [],
  );
});
