import { CreateOrUpdateTagsCommand, DeleteTagsCommand } from '@aws-sdk/client-auto-scaling';
import type { Tags } from '../../../aws/tags.ts';
import type { TaggingFamily } from './delta.ts';

/**
 * autoscalingTags turns a tag map into Auto Scaling group tags, sorted by key. Every tag
 * propagates at launch, so the group's instances carry the stack's tags too.
 */
export function autoscalingTags(group: string, tags: Tags) {
  return Object.keys(tags)
    .sort()
    .map((Key) => ({
      ResourceId: group,
      ResourceType: 'auto-scaling-group',
      Key,
      Value: tags[Key],
      PropagateAtLaunch: true,
    }));
}

/** autoscalingTagging writes tags of Auto Scaling groups by group name (CreateOrUpdateTags, DeleteTags). */
export const autoscalingTagging: TaggingFamily = {
  family: 'autoscaling',
  iamActions: ['autoscaling:CreateOrUpdateTags', 'autoscaling:DeleteTags'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.autoscaling.send(
        new CreateOrUpdateTagsCommand({ Tags: autoscalingTags(target, delta.set) }),
      );
    }
    if (delta.remove.length > 0) {
      await ctx.clients.autoscaling.send(
        new DeleteTagsCommand({
          Tags: delta.remove.map((Key) => ({
            ResourceId: target,
            ResourceType: 'auto-scaling-group',
            Key,
          })),
        }),
      );
    }
  },
};
