import {
  type Cluster,
  DescribeClustersCommand,
  ListClustersCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import { chunk } from '../lib/chunk.ts';
import { paginate } from '../aws/paginate.ts';
import { isManagementTag, ownedBy, tagListToMap } from '../aws/tags.ts';
import { kindOf } from '../graph/addresses.ts';
import { changedFields, hasTagChanges } from '../plan/diff.ts';
import { isUnknown } from '../plan/types.ts';
import type { ResourceContext, Tags } from './types.ts';

/** Shared helpers, re-exported for the handlers of this service. */
export { changedFields, chunk, hasTagChanges, paginate };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isUnknown(value);
}

/** canonicalJson serializes with sorted keys and undefined members dropped, for structural equality. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, member: unknown) => {
    if (isPlainObject(member)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(member).sort()) sorted[key] = member[key];
      return sorted;
    }
    return member;
  });
}

/** tagDelta splits the difference between two tag maps into tags to set and keys to remove. */
export function tagDelta(desiredTags: Tags, observedTags: Tags): { set: Tags; remove: string[] } {
  const set: Tags = {};
  for (const [key, value] of Object.entries(desiredTags)) {
    if (observedTags[key] !== value) set[key] = value;
  }
  const remove = Object.keys(observedTags).filter(
    (key) => !(key in desiredTags) && !key.startsWith('aws:'),
  );
  return { set, remove };
}

/** ecsTagList turns a tag map into ECS's lowercase `[{ key, value }]`, sorted by key. */
export function ecsTagList(tags: Tags): { key: string; value: string }[] {
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key, value: tags[key]! }));
}

/** syncEcsTags makes the tags of an ECS resource equal to desiredTags (TagResource, UntagResource). */
export async function syncEcsTags(
  ctx: ResourceContext,
  resourceArn: string,
  desiredTags: Tags,
  observedTags: Tags,
): Promise<void> {
  const { set, remove } = tagDelta(desiredTags, observedTags);
  if (Object.keys(set).length > 0) {
    await ctx.clients.ecs.send(new TagResourceCommand({ resourceArn, tags: ecsTagList(set) }));
  }
  if (remove.length > 0) {
    await ctx.clients.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: remove }));
  }
}

/** removeEcsManagementTags untags the reconciler:* tags only (deletion policy retain). */
export async function removeEcsManagementTags(
  ctx: ResourceContext,
  resourceArn: string,
  observedTags: Tags,
): Promise<void> {
  const tagKeys = Object.keys(observedTags).filter(isManagementTag);
  if (tagKeys.length === 0) return;
  await ctx.clients.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys }));
}

/** OwnedCluster is one ECS cluster owned by a stack in scope. */
export interface OwnedCluster {
  stack: string;
  address: string;
  cluster: Cluster;
  tags: Tags;
}

/**
 * observeOwnedClusters lists every ECS cluster (ListClusters, paginated) and describes them in
 * batches of 100 with tags and settings; it keeps the ACTIVE or PROVISIONING clusters whose tags say
 * they belong to one of ctx.stacks as an ecs-cluster.
 */
export async function observeOwnedClusters(ctx: ResourceContext): Promise<OwnedCluster[]> {
  const clusterArns = await paginate(async (nextToken) => {
    const page = await ctx.clients.ecs.send(new ListClustersCommand({ nextToken }));
    return { items: page.clusterArns, nextToken: page.nextToken };
  });
  const owned: OwnedCluster[] = [];
  for (const batch of chunk(clusterArns, 100)) {
    const described = await ctx.clients.ecs.send(
      new DescribeClustersCommand({ clusters: batch, include: ['TAGS', 'SETTINGS'] }),
    );
    for (const cluster of described.clusters ?? []) {
      if (cluster.status !== 'ACTIVE' && cluster.status !== 'PROVISIONING') continue;
      const tags = tagListToMap(cluster.tags);
      const owner = ownedBy(tags, ctx.stacks);
      if (!owner || kindOf(owner.address) !== 'ecs-cluster') continue;
      owned.push({ ...owner, cluster, tags });
    }
  }
  return owned;
}
