import { createHash } from 'node:crypto';
import {
  AddTagsCommand,
  DescribeTagsCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { chunk } from '../lib/chunk.ts';
import { errorCode, isNotFound } from '../aws/errors.ts';
import {
  isAwsTag,
  isManagementTag,
  ownedBy,
  TAG_ADDRESS,
  TAG_STACK,
  tagListToMap,
  tagMapToList,
} from '../aws/tags.ts';
import { changedFields, hasTagChanges } from '../plan/diff.ts';
import type { DeleteOptions, ObservedResource, ResourceContext, Tags } from './types.ts';

/** Shared helpers, re-exported for the handlers of this service. */
export { changedFields, chunk, hasTagChanges, isAwsTag };

/** TagDelta is what a tag update writes: tags to set and keys to remove. */
export interface TagDelta {
  set: Tags;
  remove: string[];
}

/** tagDelta computes the writes turning observed tags into desired ones, never touching `aws:` tags. */
export function tagDelta(desiredTags: Tags, observedTags: Tags): TagDelta {
  const set: Tags = {};
  for (const [key, value] of Object.entries(desiredTags)) {
    if (!isAwsTag(key) && observedTags[key] !== value) set[key] = value;
  }
  const remove = Object.keys(observedTags)
    .filter((key) => !isAwsTag(key) && !(key in desiredTags))
    .sort();
  return { set, remove };
}

/** ELBV2_TAG_BATCH is the most ARNs DescribeTags accepts in one call. */
export const ELBV2_TAG_BATCH = 20;

/** describeElbv2Tags reads the tags of every ARN, in DescribeTags calls of 20 ARNs each. */
export async function describeElbv2Tags(
  ctx: ResourceContext,
  arns: readonly string[],
): Promise<Map<string, Tags>> {
  const tagsByArn = new Map<string, Tags>();
  for (const batch of chunk(arns, ELBV2_TAG_BATCH)) {
    const described = await ctx.clients.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: batch }),
    );
    for (const description of described.TagDescriptions ?? []) {
      if (description.ResourceArn) {
        tagsByArn.set(description.ResourceArn, tagListToMap(description.Tags));
      }
    }
  }
  return tagsByArn;
}

/** OwnedArn is one ELBv2 resource that carries our tags for one of the stacks in scope. */
export interface OwnedArn {
  arn: string;
  stack: string;
  address: string;
  tags: Tags;
}

/** ownedArns keeps the ARNs whose tags say they belong to one of ctx.stacks. */
export function ownedArns(
  arns: readonly string[],
  tagsByArn: Map<string, Tags>,
  stacks: readonly string[],
): OwnedArn[] {
  const owned: OwnedArn[] = [];
  for (const arn of arns) {
    const tags = tagsByArn.get(arn) ?? {};
    const owner = ownedBy(tags, stacks);
    if (owner) owned.push({ arn, ...owner, tags });
  }
  return owned;
}

/** writeElbv2Tags applies a tag update to one ELBv2 resource (AddTags, then RemoveTags). */
export async function writeElbv2Tags(
  ctx: ResourceContext,
  arn: string,
  desiredTags: Tags,
  observedTags: Tags,
): Promise<void> {
  const delta = tagDelta(desiredTags, observedTags);
  if (Object.keys(delta.set).length > 0) {
    await ctx.clients.elbv2.send(
      new AddTagsCommand({ ResourceArns: [arn], Tags: tagMapToList(delta.set) }),
    );
  }
  if (delta.remove.length > 0) {
    await ctx.clients.elbv2.send(
      new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: delta.remove }),
    );
  }
}

/** removeElbv2ManagementTags drops only our `reconciler:*` tags from one ELBv2 resource (retain policy). */
export async function removeElbv2ManagementTags(
  ctx: ResourceContext,
  arn: string,
  tags: Tags,
): Promise<void> {
  const keys = Object.keys(tags).filter(isManagementTag).sort();
  if (keys.length === 0) return;
  await ctx.clients.elbv2.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: keys }));
}

/**
 * removeElbv2Resource is the delete of every ELBv2 kind: `delete` calls `deleteResource`, any other
 * policy only drops our management tags; a resource already gone is success.
 */
export async function removeElbv2Resource(
  ctx: ResourceContext,
  observed: ObservedResource<unknown>,
  options: DeleteOptions,
  label: string,
  deleteResource: () => Promise<unknown>,
): Promise<void> {
  try {
    if (options.deletionPolicy === 'delete') {
      await deleteResource();
      return;
    }
    await removeElbv2ManagementTags(ctx, observed.id, observed.tags);
  } catch (err) {
    if (isNotFound(err)) return;
    throw wrapError(
      `cannot delete ${label} ${observed.attributes.name} (${observed.address})`,
      err,
    );
  }
}

/**
 * shortName keeps an AWS name within `max` characters: unchanged when it fits, otherwise cut and
 * suffixed with a 6-character hash of the full name, so two long names never collide.
 */
export function shortName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  const head = name.slice(0, max - hash.length - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/** wrapError wraps an error with what failed; an AWS error keeps its code and message. */
export function wrapError(message: string, err: unknown): Error {
  const text = err instanceof Error ? err.message : String(err);
  const code = errorCode(err);
  const detail = code && !text.startsWith(code) ? `${code}: ${text}` : text;
  return new Error(`${message}: ${detail}`, { cause: err });
}

/**
 * sortedValues sorts a list of ids for order-independent comparison; values that are not strings
 * (an unresolved "known after apply" marker) sort after the strings by their JSON text.
 */
export function sortedValues<T>(values: readonly T[]): T[] {
  const key = (value: T) => (typeof value === 'string' ? `0${value}` : `1${JSON.stringify(value)}`);
  return [...values].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** tagsAfterUpdate is what a resource carries after a tag update: the desired tags plus AWS's own. */
export function tagsAfterUpdate(desiredTags: Tags, observedTags: Tags): Tags {
  const awsOwned = Object.entries(observedTags).filter(([key]) => isAwsTag(key));
  return { ...Object.fromEntries(awsOwned), ...desiredTags };
}

/** PER_RESOURCE_READS is how many per-resource reads (attributes, listeners, rules) run at once. */
export const PER_RESOURCE_READS = 8;

/** ELBV2_PAGE_SIZE is the largest page DescribeLoadBalancers and DescribeTargetGroups return. */
export const ELBV2_PAGE_SIZE = 400;

/**
 * confirmCreated reads the tags of a resource ELBv2 just returned from a create. ELBv2 creates are
 * idempotent for identical settings: a create matching an existing resource returns that one,
 * which may belong to someone else. Only a resource tagged with our stack and address is ours.
 */
export async function confirmCreated(
  ctx: ResourceContext,
  arn: string,
  owner: { stack: string; address: string },
): Promise<void> {
  const tags = (await describeElbv2Tags(ctx, [arn])).get(arn) ?? {};
  if (tags[TAG_STACK] !== owner.stack || tags[TAG_ADDRESS] !== owner.address) {
    throw new Error(
      `${arn} already exists and is not owned by ${owner.address} of stack ${owner.stack}`,
    );
  }
}
