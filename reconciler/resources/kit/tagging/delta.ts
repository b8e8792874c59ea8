import { isAwsTag, isManagementTag, type Tags } from '../../../aws/tags.ts';
import type { ResourceContext } from '../../types.ts';

/** TagDelta is what one tag update writes: tags to set and keys to remove. */
export interface TagDelta {
  set: Tags;
  remove: string[];
}

/** tagDelta computes the writes turning observed tags into desired ones; `aws:` tags are never touched. */
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

/** releaseDelta removes only our `reconciler:*` tags (deletion policy retain). */
export function releaseDelta(observedTags: Tags): TagDelta {
  return { set: {}, remove: Object.keys(observedTags).filter(isManagementTag).sort() };
}

/** isEmptyDelta tells whether a delta writes nothing. */
export function isEmptyDelta(delta: TagDelta): boolean {
  return Object.keys(delta.set).length === 0 && delta.remove.length === 0;
}

/** tagsAfter is what a resource carries after a tag update: the desired tags plus AWS's own. */
export function tagsAfter(desiredTags: Tags, observedTags: Tags): Tags {
  const awsOwned = Object.entries(observedTags).filter(([key]) => isAwsTag(key));
  return { ...Object.fromEntries(awsOwned), ...desiredTags };
}

/**
 * TaggingFamily is how one AWS API family writes tags: EC2's CreateTags/DeleteTags on ids,
 * ELBv2's AddTags/RemoveTags on ARNs, and so on. `target` is what the family addresses a
 * resource by (an id, an ARN, a role name). A family writes nothing for an empty delta.
 */
export interface TaggingFamily {
  family: string;
  write(ctx: ResourceContext, target: string, delta: TagDelta): Promise<void>;
  /** The IAM actions `write` needs. */
  iamActions: readonly string[];
}
