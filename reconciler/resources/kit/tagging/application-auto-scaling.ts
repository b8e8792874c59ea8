import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-application-auto-scaling';
import type { TaggingFamily } from './delta.ts';

/** applicationAutoScalingTagging writes tags of scalable targets by their ScalableTargetARN. */
export const applicationAutoScalingTagging: TaggingFamily = {
  family: 'application-autoscaling',
  iamActions: ['application-autoscaling:TagResource', 'application-autoscaling:UntagResource'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.applicationAutoScaling.send(
        new TagResourceCommand({ ResourceARN: target, Tags: delta.set }),
      );
    }
    if (delta.remove.length > 0) {
      await ctx.clients.applicationAutoScaling.send(
        new UntagResourceCommand({ ResourceARN: target, TagKeys: delta.remove }),
      );
    }
  },
};

/**
 * ownedByTargetTagging is the family of what AWS cannot tag (scaling policies): a policy carries
 * the tags of the scalable target it belongs to, so there is nothing to write; the target's own
 * tag updates bring both to the desired tags.
 */
export const ownedByTargetTagging: TaggingFamily = {
  family: 'owned-by-scalable-target',
  iamActions: [],
  async write() {},
};
