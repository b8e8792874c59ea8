import {
  type Cluster,
  DescribeClustersCommand,
  DescribeServicesCommand,
  paginateListServices,
  type Service,
} from '@aws-sdk/client-ecs';
import { kindOf, ownedBy, tagListToMap } from '../../aws/tags.ts';
import { chunk } from '../../lib/chunk.ts';
import type { ResourceContext } from '../types.ts';
import { memoized } from './memo.ts';
import { collect } from './paginate.ts';

/** DESCRIBE_CLUSTERS_BATCH and DESCRIBE_SERVICES_BATCH are the most names one describe call takes. */
const DESCRIBE_CLUSTERS_BATCH = 100;
const DESCRIBE_SERVICES_BATCH = 10;

/**
 * readClusters is the ECS cluster of every stack in scope that is ACTIVE or PROVISIONING, with
 * its tags and settings, read once per pass (the clusters are the parent of the ECS services and
 * capacity providers, which share this read through the memo). A stack's cluster carries the
 * stack's name, so the names come from the stacks and one DescribeClusters (100 names a call)
 * reads them without listing the region's clusters first; a name with no cluster comes back as a
 * failure, which is not an error.
 */
export function readClusters(ctx: ResourceContext): Promise<Cluster[]> {
  return memoized(ctx, 'ecs:clusters', async () => {
    const clusters: Cluster[] = [];
    for (const batch of chunk(ctx.stacks, DESCRIBE_CLUSTERS_BATCH)) {
      const described = await ctx.clients.ecs.send(
        new DescribeClustersCommand({ clusters: batch, include: ['TAGS', 'SETTINGS'] }),
      );
      clusters.push(...(described.clusters ?? []));
    }
    return clusters.filter(
      (cluster) => cluster.status === 'ACTIVE' || cluster.status === 'PROVISIONING',
    );
  });
}

/** ownedClusters are the clusters whose tags make them the ecs-cluster of a stack in scope. */
export async function ownedClusters(
  ctx: ResourceContext,
): Promise<{ stack: string; arn: string }[]> {
  return (await readClusters(ctx)).flatMap((cluster) => {
    const owner = ownedBy(tagListToMap(cluster.tags), ctx.stacks);
    return owner && kindOf(owner.address) === 'ecs-cluster'
      ? [{ stack: owner.stack, arn: cluster.clusterArn ?? '' }]
      : [];
  });
}

/** describeServices describes services of one cluster by 10, always with their tags (see DESIGN.md on moto). */
export async function describeServices(
  ctx: ResourceContext,
  cluster: string,
  serviceArns: readonly string[],
): Promise<Service[]> {
  const described: Service[] = [];
  for (const batch of chunk(serviceArns, DESCRIBE_SERVICES_BATCH)) {
    const page = await ctx.clients.ecs.send(
      new DescribeServicesCommand({ cluster, services: batch, include: ['TAGS'] }),
    );
    described.push(...(page.services ?? []));
  }
  return described;
}

/** clusterServices lists and describes the services of one cluster that are not INACTIVE (deleted). */
export async function clusterServices(ctx: ResourceContext, cluster: string): Promise<Service[]> {
  const arns = await collect(
    paginateListServices({ client: ctx.clients.ecs }, { cluster }),
    (page) => page.serviceArns,
  );
  return (await describeServices(ctx, cluster, arns)).filter(
    (service) => service.status !== 'INACTIVE',
  );
}
