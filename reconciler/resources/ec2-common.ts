import {
  CreateTagsCommand,
  DeleteTagsCommand,
  type Filter,
  type ResourceType,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import { isNotFound } from '../aws/errors.ts';
import { paginate } from '../aws/paginate.ts';
import { isAwsTag, isManagementTag, ownedBy, TAG_STACK, tagMapToList } from '../aws/tags.ts';
import { kindOf } from '../graph/addresses.ts';
import { changedFields, hasTagChanges } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import type { ResourceContext, Tags } from './types.ts';

/** Shared helpers, re-exported for the handlers of this service. */
export { changedFields, hasTagChanges, isAwsTag, paginate };

/** stackFilters is the EC2 filter selecting every resource tagged for one of ctx.stacks. */
export function stackFilters(ctx: ResourceContext): Filter[] {
  return [{ Name: `tag:${TAG_STACK}`, Values: [...ctx.stacks] }];
}

/**
 * ownerOf tells which stack and address a tagged EC2 resource of `kind` belongs to, or
 * undefined when it is not ours (no stack tag, another stack, or an address of another kind).
 */
export function ownerOf(
  ctx: ResourceContext,
  kind: string,
  tags: Tags,
): { stack: string; address: string } | undefined {
  const owner = ownedBy(tags, ctx.stacks);
  if (!owner || kindOf(owner.address) !== kind) return undefined;
  return owner;
}

/** tagSpecifications sets every tag at creation, so no untagged resource ever exists. */
export function tagSpecifications(resourceType: ResourceType, tags: Tags): TagSpecification[] {
  return [{ ResourceType: resourceType, Tags: tagMapToList(tags) }];
}

/** canonicalJson serializes a value with sorted object keys and undefined members dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => {
    if (member && typeof member === 'object' && !Array.isArray(member)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(member).sort()) {
        sorted[key] = (member as Record<string, unknown>)[key];
      }
      return sorted;
    }
    return member;
  });
}

/** sameValue compares two JSON-like values structurally (key order and undefined members do not matter). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/**
 * syncTags makes an EC2 resource's tags equal to `desiredTags`: CreateTags for missing or
 * different values, DeleteTags for extra keys. `aws:` tags are never touched.
 */
export async function syncTags(
  ctx: ResourceContext,
  resourceId: string,
  desiredTags: Tags,
  observedTags: Tags,
): Promise<void> {
  const toSet: Tags = {};
  for (const [key, value] of Object.entries(desiredTags)) {
    if (!isAwsTag(key) && observedTags[key] !== value) toSet[key] = value;
  }
  const toDelete = Object.keys(observedTags)
    .filter((key) => !isAwsTag(key) && !(key in desiredTags))
    .sort();
  try {
    if (Object.keys(toSet).length > 0) {
      await ctx.clients.ec2.send(
        new CreateTagsCommand({ Resources: [resourceId], Tags: tagMapToList(toSet) }),
      );
    }
    if (toDelete.length > 0) {
      await ctx.clients.ec2.send(
        new DeleteTagsCommand({ Resources: [resourceId], Tags: toDelete.map((Key) => ({ Key })) }),
      );
    }
  } catch (err) {
    throw new Error(`cannot update tags of ${resourceId}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * releaseOwnership implements deletionPolicy retain: it removes only our reconciler:* tags,
 * so the resource stays and is invisible to every later observe. Already gone is success.
 */
export async function releaseOwnership(
  ctx: ResourceContext,
  resourceId: string,
  observedTags: Tags,
): Promise<void> {
  const keys = Object.keys(observedTags).filter(isManagementTag).sort();
  if (keys.length === 0) return;
  try {
    await ctx.clients.ec2.send(
      new DeleteTagsCommand({ Resources: [resourceId], Tags: keys.map((Key) => ({ Key })) }),
    );
  } catch (err) {
    if (isNotFound(err)) return;
    throw new Error(`cannot remove management tags of ${resourceId}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** ignoreNotFound runs an AWS call and treats "not found" as success (idempotent deletes). */
export async function ignoreNotFound(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** describeError wraps an AWS error with what failed: `cannot delete vpc vpc-123: <code/message>`. */
export function describeError(action: string, err: unknown): Error {
  return new Error(`${action}: ${(err as Error).message ?? String(err)}`, { cause: err });
}

/**
 * applyTagChanges syncs the resource's tags when `changes` touches any and returns the tags
 * it now carries (the desired ones plus any AWS-reserved ones it had).
 */
export async function applyTagChanges(
  ctx: ResourceContext,
  resourceId: string,
  desiredTags: Tags,
  observedTags: Tags,
  changes: readonly FieldChange[],
): Promise<Tags> {
  if (!hasTagChanges(changes)) return observedTags;
  await syncTags(ctx, resourceId, desiredTags, observedTags);
  const awsTags = Object.fromEntries(Object.entries(observedTags).filter(([key]) => isAwsTag(key)));
  return { ...awsTags, ...desiredTags };
}
