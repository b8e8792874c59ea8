/**
 * Inventories of what exists in AWS (moto), read with the SDK directly and never through the
 * reconciler's handlers: every resource tagged with a stack, by kind and address, and totals of
 * every resource of the big kinds whatever their tags (to find leaked, untagged ones).
 */
import {
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand as ListLogTagsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListRolesCommand, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeDBSubnetGroupsCommand,
  ListTagsForResourceCommand as ListRdsTagsCommand,
} from '@aws-sdk/client-rds';
import type { AwsClients } from '../../reconciler/aws/clients.ts';
import { TAG_ADDRESS, TAG_STACK, tagListToMap } from '../../reconciler/aws/tags.ts';

/** Tagged is one resource found in AWS with the stack tag: its kind, physical id and address tag. */
export interface Tagged {
  kind: string;
  id: string;
  address: string;
}

type TagMap = Record<string, string>;

function owned(stack: string, tags: TagMap): boolean {
  return tags[TAG_STACK] === stack;
}

function entry(kind: string, id: string | undefined, tags: TagMap): Tagged {
  return { kind, id: id ?? '', address: tags[TAG_ADDRESS] ?? '' };
}

async function ec2Tagged(clients: AwsClients, stack: string): Promise<Tagged[]> {
  const Filters: Filter[] = [{ Name: `tag:${TAG_STACK}`, Values: [stack] }];
  const [vpcs, subnets, gateways, eips, nats, tables, groups] = await Promise.all([
    clients.ec2.send(new DescribeVpcsCommand({ Filters })),
    clients.ec2.send(new DescribeSubnetsCommand({ Filters })),
    clients.ec2.send(new DescribeInternetGatewaysCommand({ Filters })),
    clients.ec2.send(new DescribeAddressesCommand({ Filters })),
    clients.ec2.send(new DescribeNatGatewaysCommand({ Filter: Filters })),
    clients.ec2.send(new DescribeRouteTablesCommand({ Filters })),
    clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters })),
  ]);
  const found: Tagged[] = [];
  const add = (kind: string, id: string | undefined, tags: TagMap) => {
    // the tag filter is the query; the check below guards against a filter moto ignores
    if (owned(stack, tags)) found.push(entry(kind, id, tags));
  };
  for (const vpc of vpcs.Vpcs ?? []) add('vpc', vpc.VpcId, tagListToMap(vpc.Tags));
  for (const subnet of subnets.Subnets ?? [])
    add('subnet', subnet.SubnetId, tagListToMap(subnet.Tags));
  for (const gateway of gateways.InternetGateways ?? [])
    add('internet-gateway', gateway.InternetGatewayId, tagListToMap(gateway.Tags));
  for (const address of eips.Addresses ?? [])
    add('elastic-ip', address.AllocationId, tagListToMap(address.Tags));
  for (const nat of nats.NatGateways ?? []) {
    // moto lists deleted NAT gateways: a deleted one is gone
    if (nat.State !== 'deleted') add('nat-gateway', nat.NatGatewayId, tagListToMap(nat.Tags));
  }
  for (const table of tables.RouteTables ?? [])
    add('route-table', table.RouteTableId, tagListToMap(table.Tags));
  for (const group of groups.SecurityGroups ?? [])
    add('security-group', group.GroupId, tagListToMap(group.Tags));
  return found;
}

async function logGroupsTagged(clients: AwsClients, stack: string): Promise<Tagged[]> {
  const found: Tagged[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.logs.send(new DescribeLogGroupsCommand({ nextToken }));
    for (const group of page.logGroups ?? []) {
      const arn = group.logGroupArn ?? (group.arn ?? '').replace(/:\*$/, '');
      const tags = await clients.logs.send(new ListLogTagsCommand({ resourceArn: arn }));
      if (owned(stack, tags.tags ?? {}))
        found.push(entry('log-group', group.logGroupName, tags.tags ?? {}));
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

async function rolesTagged(clients: AwsClients, stack: string): Promise<Tagged[]> {
  const found: Tagged[] = [];
  let marker: string | undefined;
  do {
    const page = await clients.iam.send(new ListRolesCommand({ Marker: marker }));
    for (const role of page.Roles ?? []) {
      const tags = tagListToMap(
        (await clients.iam.send(new ListRoleTagsCommand({ RoleName: role.RoleName }))).Tags,
      );
      if (owned(stack, tags)) found.push(entry('iam-role', `${role.Path}${role.RoleName}`, tags));
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return found;
}

async function elbTagged(clients: AwsClients, stack: string): Promise<Tagged[]> {
  const [balancers, groups] = await Promise.all([
    clients.elbv2.send(new DescribeLoadBalancersCommand({})),
    clients.elbv2.send(new DescribeTargetGroupsCommand({})),
  ]);
  const listeners = await Promise.all(
    (balancers.LoadBalancers ?? []).map((lb) =>
      clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })),
    ),
  );
  const arns = [
    ...(balancers.LoadBalancers ?? []).map((lb) => ['load-balancer', lb.LoadBalancerArn ?? '']),
    ...(groups.TargetGroups ?? []).map((tg) => ['target-group', tg.TargetGroupArn ?? '']),
    ...listeners.flatMap((page) =>
      (page.Listeners ?? []).map((listener) => ['listener', listener.ListenerArn ?? '']),
    ),
  ];
  const found: Tagged[] = [];
  for (let index = 0; index < arns.length; index += 20) {
    const batch = arns.slice(index, index + 20);
    const described = await clients.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: batch.map(([, arn]) => arn!) }),
    );
    for (const description of described.TagDescriptions ?? []) {
      const kind = batch.find(([, arn]) => arn === description.ResourceArn)?.[0] ?? 'unknown';
      const tags = tagListToMap(description.Tags);
      if (owned(stack, tags)) found.push(entry(kind, description.ResourceArn, tags));
    }
  }
  return found;
}

/**
 * ecsTagged lists the stack's clusters, every service in them (matched by cluster and name: moto
 * may return a service without its tags, see DESIGN.md) and the stack's ACTIVE task definitions.
 */
async function ecsTagged(clients: AwsClients, stack: string): Promise<Tagged[]> {
  const found: Tagged[] = [];
  const clusterArns = (await clients.ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
  const clusters =
    clusterArns.length === 0
      ? []
      : ((
          await clients.ecs.send(
            new DescribeClustersCommand({ clusters: clusterArns, include: ['TAGS'] }),
          )
        ).clusters ?? []);
  for (const cluster of clusters) {
    const tags = tagListToMap(cluster.tags);
    if (!owned(stack, tags) || cluster.status !== 'ACTIVE') continue;
    found.push(entry('ecs-cluster', cluster.clusterArn, tags));
    const serviceArns =
      (await clients.ecs.send(new ListServicesCommand({ cluster: cluster.clusterArn })))
        .serviceArns ?? [];
    if (serviceArns.length === 0) continue;
    const services = await clients.ecs.send(
      new DescribeServicesCommand({
        cluster: cluster.clusterArn,
        services: serviceArns,
        include: ['TAGS'],
      }),
    );
    for (const service of services.services ?? []) {
      if (service.status === 'INACTIVE') continue;
      const serviceTags = tagListToMap(service.tags);
      found.push({
        kind: 'ecs-service',
        id: service.serviceArn ?? '',
        address: serviceTags[TAG_ADDRESS] ?? `ecs-service.${service.serviceName}`,
      });
    }
  }
  let nextToken: string | undefined;
  do {
    const page = await clients.ecs.send(
      new ListTaskDefinitionsCommand({ status: 'ACTIVE', nextToken }),
    );
    for (const arn of page.taskDefinitionArns ?? []) {
      const described = await clients.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }),
      );
      const tags = tagListToMap(described.tags);
      if (owned(stack, tags)) found.push(entry('task-definition', arn, tags));
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

async function rdsTagged(clients: AwsClients, stack: string): Promise<Tagged[]> {
  const found: Tagged[] = [];
  const instances = await clients.rds.send(new DescribeDBInstancesCommand({}));
  for (const instance of instances.DBInstances ?? []) {
    const tags = tagListToMap(instance.TagList);
    if (owned(stack, tags)) found.push(entry('db-instance', instance.DBInstanceIdentifier, tags));
  }
  const groups = await clients.rds.send(new DescribeDBSubnetGroupsCommand({}));
  for (const group of groups.DBSubnetGroups ?? []) {
    const tags = tagListToMap(
      (await clients.rds.send(new ListRdsTagsCommand({ ResourceName: group.DBSubnetGroupArn })))
        .TagList,
    );
    if (owned(stack, tags)) found.push(entry('db-subnet-group', group.DBSubnetGroupName, tags));
  }
  return found;
}

/** taggedResources lists every resource of every kind carrying `reconciler:stack=<stack>`. */
export async function taggedResources(clients: AwsClients, stack: string): Promise<Tagged[]> {
  const parts = await Promise.all([
    ec2Tagged(clients, stack),
    logGroupsTagged(clients, stack),
    rolesTagged(clients, stack),
    elbTagged(clients, stack),
    ecsTagged(clients, stack),
    rdsTagged(clients, stack),
  ]);
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
