import { AddTagsToResourceCommand, RemoveTagsFromResourceCommand } from '@aws-sdk/client-rds';
import { isManagementTag, tagMapToList } from '../aws/tags.ts';
import { tagDelta } from './ecs-common.ts';
import type { ResourceContext, Tags } from './types.ts';

/** syncRdsTags makes the tags of an RDS resource (by ARN) equal to desiredTags. */
export async function syncRdsTags(
  ctx: ResourceContext,
  resourceArn: string,
  desiredTags: Tags,
  observedTags: Tags,
): Promise<void> {
  const { set, remove } = tagDelta(desiredTags, observedTags);
  if (Object.keys(set).length > 0) {
    await ctx.clients.rds.send(
      new AddTagsToResourceCommand({ ResourceName: resourceArn, Tags: tagMapToList(set) }),
    );
  }
  if (remove.length > 0) {
    await ctx.clients.rds.send(
      new RemoveTagsFromResourceCommand({ ResourceName: resourceArn, TagKeys: remove }),
    );
  }
}

/** removeRdsManagementTags removes only the reconciler:* tags (deletion policy retain). */
export async function removeRdsManagementTags(
  ctx: ResourceContext,
  resourceArn: string,
  observedTags: Tags,
): Promise<void> {
  const tagKeys = Object.keys(observedTags).filter(isManagementTag);
  if (tagKeys.length === 0) return;
  await ctx.clients.rds.send(
    new RemoveTagsFromResourceCommand({ ResourceName: resourceArn, TagKeys: tagKeys }),
  );
}

/** sortedStrings returns a sorted copy of a list of strings (set-like AWS fields). */
export function sortedStrings<T>(items: readonly T[] | undefined): T[] {
  return [...(items ?? [])].sort((a, b) => {
    const left = typeof a === 'string' ? a : JSON.stringify(a);
    const right = typeof b === 'string' ? b : JSON.stringify(b);
    return left < right ? -1 : left > right ? 1 : 0;
  });
}
