/**
 * Pruning against moto: a stack with a network in three zones and two log groups is applied next
 * to two foreign VPCs (one untagged, one owned by another stack with the same address tag).
 * Removing the third zone and a log group from the spec deletes exactly those resources; destroy
 * deletes everything the stack owns and leaves the foreign VPCs and their subnets untouched.
 * Resources are counted with the SDK directly, never through the reconciler's own observe.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import {
  MANAGED_BY_VALUE,
  TAG_ADDRESS,
  TAG_MANAGED_BY,
  TAG_STACK,
} from '../reconciler/aws/tags.ts';
import { type ReconcileResult, reconcile } from '../reconciler/engine/reconcile.ts';
import type { Plan } from '../reconciler/plan/types.ts';
import { loadStacks } from '../reconciler/spec/load-stacks.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { countByKind, type Tagged, taggedResources } from './helpers/count-by-tag.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const STACK = 'prune-net';

function specYaml(zones: number, logGroups: string[]): string {
  const letters = ['a', 'b', 'c'].slice(0, zones);
  return [
    `name: ${STACK}`,
    'region: us-west-2',
    'tags:',
    '  project: prune',
    'network:',
    '  cidr: 10.0.0.0/16',
    `  availabilityZones: [${letters.map((letter) => `us-west-2${letter}`).join(', ')}]`,
    `  publicSubnets: [${letters.map((_, index) => `10.0.${index}.0/24`).join(', ')}]`,
    `  privateSubnets: [${letters.map((_, index) => `10.0.${10 + index}.0/24`).join(', ')}]`,
    '  natGateways: none',
    'logGroups:',
    ...logGroups.map((name) => `  - name: ${name}\n    retentionDays: 7`),
    '',
  ].join('\n');
}

interface Foreign {
  vpcId: string;
  subnetId: string;
  tags: Tag[];
}

let moto: MotoServer;
let clients: AwsClients;
let dir: string;

async function load(zones: number, logGroups: string[]): Promise<Stack> {
  const file = join(dir, `${STACK}.yaml`);
  writeFileSync(file, specYaml(zones, logGroups));
  const loaded = await loadStacks([file]);
  assert.deepEqual(loaded.errors, []);
  return loaded.stacks[0]!.spec;
}

function run(stack: Stack, mode: 'plan' | 'apply' | 'destroy'): Promise<ReconcileResult> {
  return reconcile({ stacks: [stack], mode });
}

/** changes lists `address action` for every resource the plan touches, sorted. */
function changes(plan: Plan): string[] {
  return plan.stacks
    .flatMap((stackPlan) => stackPlan.changes)
    .filter((change) => change.action !== 'no-op')
    .map((change) => `${change.address} ${change.action}`)
    .sort();
}

function ids(resources: readonly Tagged[]): Map<string, Tagged> {
  return new Map(resources.map((resource) => [`${resource.kind} ${resource.id}`, resource]));
}

function sortTags(tags: Tag[] | undefined): Tag[] {
  return [...(tags ?? [])].sort((a, b) => (a.Key ?? '').localeCompare(b.Key ?? ''));
}

async function createForeign(cidr: string, tags: Tag[]): Promise<Foreign> {
  const TagSpecifications = tags.length
    ? [{ ResourceType: 'vpc' as const, Tags: tags }]
    : undefined;
  const vpc = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnet = await clients.ec2.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: cidr.replace(/\.0\.0\/16$/, '.0.0/24'),
      AvailabilityZone: 'us-west-2a',
      TagSpecifications: tags.length ? [{ ResourceType: 'subnet', Tags: tags }] : undefined,
    }),
  );
  return { vpcId, subnetId: subnet.Subnet!.SubnetId!, tags: sortTags(tags) };
}

/** foreignState reads a foreign VPC and its subnet back: ids and tags. */
async function foreignState(foreign: Foreign): Promise<Foreign | undefined> {
  const vpcs = await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [foreign.vpcId] }));
  const subnets = await clients.ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [foreign.vpcId] }] }),
  );
  const vpc = vpcs.Vpcs?.[0];
  const subnet = subnets.Subnets ?? [];
  if (!vpc || subnet.length !== 1) return undefined;
  assert.deepEqual(sortTags(subnet[0]!.Tags), sortTags(vpc.Tags), 'subnet tags as created');
  return { vpcId: vpc.VpcId!, subnetId: subnet[0]!.SubnetId!, tags: sortTags(vpc.Tags) };
}

before(async () => {
  moto = await startMoto();
  clients = createClients({ region: 'us-west-2' });
  dir = mkdtempSync(join(tmpdir(), 'network-prune-'));
});
after(async () => {
  clients?.destroy();
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pruning and destroying a network stack next to foreign VPCs', { timeout: 90_000 }, () => {
  test('removed resources are deleted exactly; destroy leaves foreign VPCs alone', async () => {
    const untagged = await createForeign('10.50.0.0/16', []);
    const otherStack = await createForeign('10.0.0.0/16', [
      { Key: TAG_STACK, Value: 'other-stack' },
      { Key: TAG_ADDRESS, Value: 'vpc.main' },
      { Key: TAG_MANAGED_BY, Value: MANAGED_BY_VALUE },
    ]);

    const full = await load(3, ['/prune/app', '/prune/audit']);
    const applied = await run(full, 'apply');
    assert.deepEqual(applied.failures, []);
    assert.deepEqual(changes((await run(full, 'plan')).plan), [], 'converged after one apply');
    const before = await taggedResources(clients, STACK);
    assert.deepEqual(countByKind(before), {
      'internet-gateway': 1,
      'log-group': 2,
      'route-table': 4,
      subnet: 6,
      vpc: 1,
    });
    // the foreign VPCs were neither adopted nor changed by the apply
    assert.deepEqual(await foreignState(untagged), untagged);
    assert.deepEqual(await foreignState(otherStack), otherStack);

    const pruned = await load(2, ['/prune/app']);
    const planned = changes((await run(pruned, 'plan')).plan);
    assert.deepEqual(planned, [
      'log-group.prune/audit delete',
      'route-table.private-c delete',
      // the public route table no longer associates the removed public subnet
      'route-table.public update',
      'subnet.private-c delete',
      'subnet.public-c delete',
    ]);
    const prune = await run(pruned, 'apply');
    assert.deepEqual(prune.failures, []);
    assert.deepEqual(
      prune.applied
        .filter((change) => change.action === 'delete')
        .map((change) => change.address)
        .sort(),
      ['log-group.prune/audit', 'route-table.private-c', 'subnet.private-c', 'subnet.public-c'],
    );
    assert.deepEqual(changes((await run(pruned, 'plan')).plan), [], 'converged after the prune');

    const afterPrune = ids(await taggedResources(clients, STACK));
    const gone = [...ids(before)]
      .filter(([key]) => !afterPrune.has(key))
      .map(([, resource]) => resource.address)
      .sort();
    assert.deepEqual(gone, [
      'log-group.prune/audit',
      'route-table.private-c',
      'subnet.private-c',
      'subnet.public-c',
    ]);
    assert.equal(afterPrune.size, before.length - 4, 'nothing was created by the prune');

    const destroyed = await run(pruned, 'destroy');
    assert.deepEqual(destroyed.failures, []);
    assert.deepEqual(await taggedResources(clients, STACK), []);
    assert.deepEqual(await foreignState(untagged), untagged, 'the untagged vpc is untouched');
    assert.deepEqual(await foreignState(otherStack), otherStack, "the other stack's vpc too");
  });
});
