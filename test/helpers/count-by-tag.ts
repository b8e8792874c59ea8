/**
 * Inventories of what exists in AWS (the local cloud): every resource tagged with a stack, by
 * kind and address, read through each registered kind's inventory; and totals of every
 * resource of the big kinds whatever their tags, read with the SDK directly (to find leaked,
 * untagged ones).
 */
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeClustersCommand, ListClustersCommand } from '@aws-sdk/client-ecs';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import type { AwsClients } from '../../reconciler/aws/clients.ts';
import { silentLogger } from '../../reconciler/engine/reconcile.ts';
import { createMemo } from '../../reconciler/resources/kit/memo.ts';
import { HANDLERS } from '../../reconciler/resources/registry.ts';
import type { ResourceContext } from '../../reconciler/resources/types.ts';

/** Tagged is one resource found in AWS with the stack tag: its kind, physical id and address tag. */
export interface Tagged {
  kind: string;
  id: string;
  address: string;
}

/**
 * taggedResources lists every resource of every registered kind carrying
 * `reconciler:stack=<stack>`, whatever its address tag, through each kind's own inventory read
 * (its batched list, before the ownership filter): a new kind is counted as soon as it is
 * registered, and a resource the ownership filter would drop (a wrong address) still shows.
 */
export async function taggedResources(clients: AwsClients, stack: string): Promise<Tagged[]> {
  const ctx: ResourceContext = {
    clients,
    region: clients.region,
    stacks: [stack],
    log: silentLogger,
    memo: createMemo(),
  };
  const parts = await Promise.all(
    HANDLERS.map(async (handler) => {
      if (!handler.inventory) throw new Error(`kind ${handler.kind} has no inventory read`);
      const found = await handler.inventory(ctx);
      return found.map(({ id, address }) => ({ kind: handler.kind, id, address }));
    }),
  );
  return parts.flat();
}

/** countByKind counts resources by kind, kinds sorted: `{ subnet: 4, vpc: 1 }`. */
export function countByKind(resources: readonly Tagged[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of [...resources].sort((a, b) => a.kind.localeCompare(b.kind))) {
    counts[resource.kind] = (counts[resource.kind] ?? 0) + 1;
  }
  return counts;
}

/** countByAddress counts resources by address tag, addresses sorted. */
export function countByAddress(resources: readonly Tagged[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of [...resources].sort((a, b) => a.address.localeCompare(b.address))) {
    counts[resource.address] = (counts[resource.address] ?? 0) + 1;
  }
  return counts;
}

/**
 * Totals counts every resource of the big kinds whatever its tags: VPCs but the default one,
 * load balancers, target groups, ACTIVE ECS clusters and DB instances.
 */
export interface Totals {
  vpcs: number;
  loadBalancers: number;
  targetGroups: number;
  clusters: number;
  dbInstances: number;
}

/** totals reads the Totals (a leak of an untagged resource shows as one more than the tagged ones). */
export async function totals(clients: AwsClients): Promise<Totals> {
  const [vpcs, balancers, groups, clusterArns, instances] = await Promise.all([
    clients.ec2.send(new DescribeVpcsCommand({})),
    clients.elbv2.send(new DescribeLoadBalancersCommand({})),
    clients.elbv2.send(new DescribeTargetGroupsCommand({})),
    clients.ecs.send(new ListClustersCommand({})),
    clients.rds.send(new DescribeDBInstancesCommand({})),
  ]);
  const arns = clusterArns.clusterArns ?? [];
  const clusters =
    arns.length === 0
      ? []
      : ((await clients.ecs.send(new DescribeClustersCommand({ clusters: arns }))).clusters ?? []);
  return {
    vpcs: (vpcs.Vpcs ?? []).filter((vpc) => !vpc.IsDefault).length,
    loadBalancers: (balancers.LoadBalancers ?? []).length,
    targetGroups: (groups.TargetGroups ?? []).length,
    clusters: clusters.filter((cluster) => cluster.status === 'ACTIVE').length,
    dbInstances: (instances.DBInstances ?? []).length,
  };
}

/** dbSnapshots lists the identifiers of every manual DB snapshot. */
export async function dbSnapshots(clients: AwsClients): Promise<string[]> {
  const described = await clients.rds.send(new DescribeDBSnapshotsCommand({}));
  return (described.DBSnapshots ?? []).map((snapshot) => snapshot.DBSnapshotIdentifier ?? '');
}
