/**
 * The reference stack on EC2 capacity, with the real CLI against the local cloud: it applies
 * from empty and the replan is empty; the Auto Scaling group runs its instances in both zones
 * and the capacity provider is attached to the cluster; ECS (or a person) scaling the group is
 * not drift; a new instance type is a launch template update and an instance refresh, never a
 * new group; destroy removes everything in order and leaves nothing owned.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  PutClusterCapacityProvidersCommand,
} from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RemoveRoleFromInstanceProfileCommand } from '@aws-sdk/client-iam';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { TAG_STACK } from '../reconciler/aws/tags.ts';
import { runCli } from './helpers/cli.ts';
import { taggedResources } from './helpers/count-by-tag.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const spec = fileURLToPath(new URL('../specs/scalable-logging.yaml', import.meta.url));
const STACK = 'scalable-logging';
const GROUP = `${STACK}-capacity`;
const PROVIDER = `${STACK}-ec2`;
/** RESOURCES is the number of resources of the EC2 reference stack. */
const RESOURCES = 48;

async function expectExit(args: string[], code: number): Promise<string> {
  const result = await runCli(args);
  assert.equal(
    result.code,
    code,
    `reconciler ${args.join(' ')}\n${result.stdout}\n${result.stderr}`,
  );
  return result.stdout;
}

interface PlannedChange {
  address: string;
  action: string;
  fields: { path: string }[];
}

/** changesOf plans `file` as JSON and returns the changes that are not no-ops. */
async function changesOf(file: string): Promise<PlannedChange[]> {
  const out = await expectExit(['plan', file, '--output', 'json', '--detailed-exitcode'], 2);
  const plan = JSON.parse(out) as { stacks: { changes: PlannedChange[] }[] };
  return plan.stacks.flatMap((stack) => stack.changes).filter((c) => c.action !== 'no-op');
}

let moto: MotoServer;
let clients: AwsClients;
let dir: string;

before(async () => {
  moto = await startMoto();
  clients = createClients({ region: 'us-west-2' });
  dir = mkdtempSync(join(tmpdir(), 'reference-ec2-'));
});
after(async () => {
  clients?.destroy();
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function group() {
  const described = await clients.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [GROUP] }),
  );
  return described.AutoScalingGroups?.[0];
}

/** runningInstances are the stack's EC2 instances (tagged through the group) not terminated. */
async function runningInstances() {
  const described = await clients.ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: `tag:${TAG_STACK}`, Values: [STACK] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
    }),
  );
  return (described.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
}

describe('the reference stack on EC2 capacity', { timeout: 300_000 }, () => {
  test('applies from empty and the replan is empty', async () => {
    const applied = await expectExit(['apply', spec, '--auto-approve'], 0);
    assert.match(applied, new RegExp(`Resources: ${RESOURCES} added, 0 changed, 0 destroyed`));
    await expectExit(['plan', spec, '--detailed-exitcode'], 0);
  });

  test('the group runs its instances in both zones, the provider is attached to the cluster', async () => {
    const capacity = await group();
    assert.ok(capacity, 'the Auto Scaling group exists');
    assert.deepStrictEqual(
      capacity.Instances?.map((instance) => instance.AvailabilityZone).sort(),
      ['us-west-2a', 'us-west-2b'],
    );
    assert.equal(capacity.NewInstancesProtectedFromScaleIn, true);
    assert.equal(capacity.LaunchTemplate?.Version, '1');
    const instances = await runningInstances();
    assert.equal(instances.length, 2, 'its tags propagate to the instances');
    assert.deepStrictEqual(
      instances.map((instance) => instance.InstanceType),
      ['t3.medium', 't3.medium'],
    );

    const clusters = await clients.ecs.send(new DescribeClustersCommand({ clusters: [STACK] }));
    assert.deepStrictEqual(clusters.clusters?.[0]?.capacityProviders, [PROVIDER]);
    assert.deepStrictEqual(clusters.clusters?.[0]?.defaultCapacityProviderStrategy, [
      { capacityProvider: PROVIDER, weight: 1, base: 0 },
    ]);
    const providers = await clients.ecs.send(
      new DescribeCapacityProvidersCommand({ capacityProviders: [PROVIDER] }),
    );
    const provider = providers.capacityProviders?.[0]?.autoScalingGroupProvider;
    assert.equal(provider?.autoScalingGroupArn, capacity.AutoScalingGroupARN);
    assert.equal(provider?.managedScaling?.status, 'ENABLED');
    assert.equal(provider?.managedTerminationProtection, 'ENABLED');

    const services = await clients.ecs.send(
      new DescribeServicesCommand({ cluster: STACK, services: ['api'] }),
    );
    assert.deepStrictEqual(services.services?.[0]?.capacityProviderStrategy, [
      { capacityProvider: PROVIDER, weight: 1, base: 0 },
    ]);
    const targets = await clients.elbv2.send(
      new DescribeTargetGroupsCommand({ Names: [`${STACK}-api`] }),
    );
    assert.equal(
      targets.TargetGroups?.[0]?.TargetType,
      'instance',
      'bridge tasks: instance targets',
    );
    const groups = await clients.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: 'group-name', Values: [`${STACK}-instances`, `${STACK}-lb`] }],
      }),
    );
    const byName = new Map(groups.SecurityGroups?.map((g) => [g.GroupName, g]));
    const ingress = byName.get(`${STACK}-instances`)?.IpPermissions;
    assert.deepStrictEqual(
      ingress?.map((p) => [p.FromPort, p.ToPort, p.UserIdGroupPairs?.map((pair) => pair.GroupId)]),
      [[32768, 65535, [byName.get(`${STACK}-lb`)?.GroupId]]],
      'the instances admit the ephemeral ports from the load balancer only',
    );
  });

  test('scaling the group out of band is not drift', async () => {
    await clients.autoscaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: GROUP, DesiredCapacity: 3 }),
    );
    await expectExit(['plan', spec, '--detailed-exitcode'], 0);
    assert.equal((await group())?.DesiredCapacity, 3);
  });

  test('a new instance type updates the launch template and refreshes the instances, the group stays', async () => {
    const before = await group();
    const larger = join(dir, 'scalable-logging.yaml');
    writeFileSync(
      larger,
      readFileSync(spec, 'utf8').replace('instanceType: t3.medium', 'instanceType: t3.large'),
    );
    const changes = await changesOf(larger);
    assert.deepStrictEqual(
      changes.map((change) => [change.address, change.action, change.fields.map((f) => f.path)]),
      [
        ['launch-template.main', 'update', ['instanceType']],
        ['auto-scaling-group.main', 'update', ['launchTemplateVersion']],
      ],
    );

    await expectExit(['apply', larger, '--auto-approve'], 0);
    const after = await group();
    assert.equal(after?.AutoScalingGroupARN, before?.AutoScalingGroupARN, 'the same group');
    assert.equal(after?.LaunchTemplate?.Version, '2');
    const refreshes = await clients.autoscaling.send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: GROUP }),
    );
    assert.deepStrictEqual(
      refreshes.InstanceRefreshes?.map((r) => [
        r.Status,
        r.DesiredConfiguration?.LaunchTemplate?.Version,
      ]),
      [['Successful', '2']],
    );
    const instances = await runningInstances();
    assert.deepStrictEqual(
      instances.map((instance) => instance.InstanceType),
      Array(instances.length).fill('t3.large'),
    );
    assert.equal(instances.length, 3, 'the out-of-band size is kept');
    await expectExit(['plan', larger, '--detailed-exitcode'], 0);
  });

  test('drift of each capacity kind is corrected in place', async () => {
    const larger = join(dir, 'scalable-logging.yaml');
    const capacity = await group();
    await clients.iam.send(
      new RemoveRoleFromInstanceProfileCommand({
        InstanceProfileName: `${STACK}-instance`,
        RoleName: `${STACK}-instance`,
      }),
    );
    await clients.ec2.send(
      new ModifyLaunchTemplateCommand({
        LaunchTemplateId: capacity?.LaunchTemplate?.LaunchTemplateId,
        DefaultVersion: '1',
      }),
    );
    await clients.autoscaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: GROUP, MaxSize: 10 }),
    );
    await clients.ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster: STACK,
        capacityProviders: [],
        defaultCapacityProviderStrategy: [],
      }),
    );
    const changes = await changesOf(larger);
    assert.deepStrictEqual(
      changes.map((change) => [change.address, change.action, change.fields.map((f) => f.path)]),
      [
        ['instance-profile.main', 'update', ['roleName']],
        ['launch-template.main', 'update', ['instanceType']],
        ['auto-scaling-group.main', 'update', ['launchTemplateVersion', 'maxSize']],
        ['capacity-provider.main', 'update', ['cluster', 'defaultStrategy.weight']],
      ],
    );
    await expectExit(['apply', larger, '--auto-approve'], 0);
    await expectExit(['plan', larger, '--detailed-exitcode'], 0);
    assert.equal((await group())?.LaunchTemplate?.Version, '3', 'a new version, rolled out');
  });

  test('destroy removes everything in order and the inventory shows nothing owned', async () => {
    const destroyed = await expectExit(['destroy', spec, '--auto-approve'], 0);
    assert.match(destroyed, new RegExp(`Destroy complete! Resources: ${RESOURCES} destroyed`));
    const order = [
      'ecs-service.api',
      'capacity-provider.main',
      'auto-scaling-group.main',
      'launch-template.main',
      'instance-profile.main',
      'iam-role.instance',
    ];
    const finished = order.map((address) => destroyed.indexOf(`${address}: destroyed`));
    assert.ok(
      finished.every((at) => at >= 0),
      destroyed,
    );
    assert.deepStrictEqual(
      [...finished].sort((a, b) => a - b),
      finished,
      `destroyed in the order ${order.join(', ')}`,
    );
    const starts = order.map((address) => destroyed.indexOf(`${address}: destroying`));
    for (let index = 1; index < order.length; index += 1) {
      assert.ok(
        (starts[index] ?? -1) > (finished[index - 1] ?? Infinity),
        `${order[index]} starts after ${order[index - 1]} is gone`,
      );
    }
    assert.deepStrictEqual(await taggedResources(clients, STACK), []);
    assert.deepStrictEqual(await runningInstances(), [], 'no instance is left running');
    const providers = await clients.ecs.send(new DescribeCapacityProvidersCommand({}));
    assert.deepStrictEqual(providers.capacityProviders ?? [], []);
  });
});
