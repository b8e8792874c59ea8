/**
 * What the fault and crash suites share: one `reconciler apply` of the reference stack through a
 * fault proxy, and the checks that the stack converged (a replan with no changes, exactly one
 * resource per address, nothing of the big or the EC2 kinds left untagged).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../reconciler/aws/clients.ts';
import { CLI, type CliResult, runCli } from './cli.ts';
import { countByAddress, taggedResources, totals } from './count-by-tag.ts';

/** REFERENCE_SPEC is the reference stack's spec file. */
export const REFERENCE_SPEC = fileURLToPath(
  new URL('../../specs/scalable-logging.yaml', import.meta.url),
);
/** REFERENCE_STACK is its name. */
export const REFERENCE_STACK = 'scalable-logging';

/** cliOutput is a run's exit code and output, for assertion messages. */
export function cliOutput(result: CliResult): string {
  return `exit ${result.code}\n${result.stdout.slice(-6000)}\n${result.stderr.slice(-3000)}`;
}

/** applyThrough runs one apply of the reference stack against endpoint. */
export function applyThrough(endpoint: string): Promise<CliResult> {
  return runCli(['apply', REFERENCE_SPEC, '--auto-approve'], { AWS_ENDPOINT_URL: endpoint });
}

/**
 * applyKilled runs an apply against endpoint and SIGKILLs it when kill() is called (by the
 * proxy after the k-th forwarded request); resolves when the process is gone.
 */
export function applyKilled(endpoint: string): {
  kill(): void;
  done: Promise<{ signal: NodeJS.Signals | null; code: number | null }>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'apply', REFERENCE_SPEC, '--auto-approve'],
    {
      env: { ...process.env, NO_COLOR: '1', AWS_ENDPOINT_URL: endpoint },
      stdio: 'ignore',
    },
  );
  const done = new Promise<{ signal: NodeJS.Signals | null; code: number | null }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    },
  );
  return {
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    done,
  };
}

/** replanChanges runs `plan --output json` against the cloud itself: the changes that are not no-ops, and every address. */
export async function replan(
  endpoint: string,
): Promise<{ pending: string[]; addresses: string[]; result: CliResult }> {
  const result = await runCli(['plan', REFERENCE_SPEC, '--output', 'json'], {
    AWS_ENDPOINT_URL: endpoint,
  });
  assert.equal(result.code, 0, cliOutput(result));
  const parsed = JSON.parse(result.stdout) as {
    stacks: { changes: { address: string; action: string; reason?: string }[] }[];
  };
  const changes = parsed.stacks.flatMap((stack) => stack.changes);
  return {
    pending: changes
      .filter((change) => change.action !== 'no-op')
      .map((change) => `${change.action} ${change.address} (${change.reason ?? ''})`),
    addresses: changes.map((change) => change.address).sort(),
    result,
  };
}

/** untaggedEc2 lists the EC2 resources outside the default VPC that carry no stack tag (leaks). */
export async function untaggedEc2(clients: AwsClients): Promise<string[]> {
  const tagged = (tags: { Key?: string }[] | undefined) =>
    (tags ?? []).some((tag) => tag.Key === 'reconciler:stack');
  const vpcs = (await clients.ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? [];
  const defaultVpc = vpcs.find((vpc) => vpc.IsDefault)?.VpcId;
  const [gateways, addresses, nats, tables, groups, subnets] = await Promise.all([
    clients.ec2.send(new DescribeInternetGatewaysCommand({})),
    clients.ec2.send(new DescribeAddressesCommand({})),
    clients.ec2.send(new DescribeNatGatewaysCommand({})),
    clients.ec2.send(new DescribeRouteTablesCommand({})),
    clients.ec2.send(new DescribeSecurityGroupsCommand({})),
    clients.ec2.send(new DescribeSubnetsCommand({})),
  ]);
  const inDefault = (vpcId: string | undefined) => vpcId === defaultVpc;
  return [
    ...vpcs.filter((vpc) => !vpc.IsDefault && !tagged(vpc.Tags)).map((vpc) => vpc.VpcId),
    ...(gateways.InternetGateways ?? [])
      .filter(
        (gateway) =>
          !gateway.Attachments?.some((attachment) => inDefault(attachment.VpcId)) &&
          !tagged(gateway.Tags),
      )
      .map((gateway) => gateway.InternetGatewayId),
    ...(addresses.Addresses ?? [])
      .filter((address) => !tagged(address.Tags))
      .map((address) => address.AllocationId),
    ...(nats.NatGateways ?? [])
      .filter((nat) => nat.State !== 'deleted' && !tagged(nat.Tags))
      .map((nat) => nat.NatGatewayId),
    ...(tables.RouteTables ?? [])
      .filter(
        (table) =>
          !inDefault(table.VpcId) &&
          !table.Associations?.some((a) => a.Main) &&
          !tagged(table.Tags),
      )
      .map((table) => table.RouteTableId),
    ...(groups.SecurityGroups ?? [])
      .filter(
        (group) => !inDefault(group.VpcId) && group.GroupName !== 'default' && !tagged(group.Tags),
      )
      .map((group) => group.GroupId),
    ...(subnets.Subnets ?? [])
      .filter((subnet) => !inDefault(subnet.VpcId) && !tagged(subnet.Tags))
      .map((subnet) => subnet.SubnetId),
  ].map(String);
}

/**
 * assertConverged checks the reference stack in the cloud at endpoint: the replan is empty,
 * every planned address exists once, and nothing is left untagged.
 */
export async function assertConverged(
  clients: AwsClients,
  endpoint: string,
  label: string,
): Promise<void> {
  const { pending, addresses } = await replan(endpoint);
  assert.deepEqual(pending, [], `${label}: the replan is empty`);
  // one resource two kinds list (an RDS replica is a DB instance too) counts once
  const found = [
    ...new Map(
      (await taggedResources(clients, REFERENCE_STACK)).map((resource) => [
        `${resource.address} ${resource.id}`,
        resource,
      ]),
    ).values(),
  ];
  assert.deepEqual(
    countByAddress(found),
    Object.fromEntries(addresses.map((address) => [address, 1])),
    `${label}: exactly one resource per address`,
  );
  const planned = (...kinds: string[]) =>
    addresses.filter((address) => kinds.some((kind) => address.startsWith(`${kind}.`))).length;
  assert.deepEqual(
    await totals(clients),
    {
      vpcs: planned('vpc'),
      loadBalancers: planned('load-balancer'),
      targetGroups: planned('target-group'),
      clusters: planned('ecs-cluster'),
      dbInstances: planned('db-instance', 'db-replica'),
    },
    `${label}: no untagged copy of a big kind`,
  );
  assert.deepEqual(await untaggedEc2(clients), [], `${label}: no untagged EC2 resource`);
}
