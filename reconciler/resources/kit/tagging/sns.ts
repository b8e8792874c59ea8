import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-sns';
import { tagMapToList } from '../../../aws/tags.ts';
import type { TaggingFamily } from './delta.ts';

/** snsTagging writes tags of SNS topics by topic ARN (`[{ Key, Value }]`). */
export const snsTagging: TaggingFamily = {
  family: 'sns',
  iamActions: ['sns:TagResource', 'sns:UntagResource'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.sns.send(
        new TagResourceCommand({ ResourceArn: target, Tags: tagMapToList(delta.set) }),
      );
    }
    if (delta.remove.length > 0) {
      await ctx.clients.sns.send(
        new UntagResourceCommand({ ResourceArn: target, TagKeys: delta.remove }),
      );
    }
  },
};
