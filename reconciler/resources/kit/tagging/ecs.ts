import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ecs';
import type { Tags } from '../../../aws/tags.ts';
import type { TaggingFamily } from './delta.ts';

/** ecsTagging writes tags of ECS clusters, services and task definitions by ARN. */
export const ecsTagging: TaggingFamily = {
  family: 'ecs',
  iamActions: ['ecs:TagResource', 'ecs:UntagResource'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.ecs.send(
        new TagResourceCommand({ resourceArn: target, tags: ecsTagList(delta.set) }),
      );
    }
    if (delta.remove.length > 0) {
      await ctx.clients.ecs.send(
        new UntagResourceCommand({ resourceArn: target, tagKeys: delta.remove }),
      );
    }
  },
};

/** ecsTagList turns a tag map into ECS's lowercase `[{ key, value }]`, sorted by key. */
export function ecsTagList(tags: Tags): { key: string; value: string }[] {
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key, value: tags[key]! }));
}
