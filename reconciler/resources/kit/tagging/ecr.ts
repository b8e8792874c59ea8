import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ecr';
import { tagMapToList } from '../../../aws/tags.ts';
import type { TaggingFamily } from './delta.ts';

/** ecrTagging writes tags of ECR repositories by repository ARN (`[{ Key, Value }]`). */
export const ecrTagging: TaggingFamily = {
  family: 'ecr',
  iamActions: ['ecr:TagResource', 'ecr:UntagResource'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.ecr.send(
        new TagResourceCommand({ resourceArn: target, tags: tagMapToList(delta.set) }),
      );
    }
    if (delta.remove.length > 0) {
      await ctx.clients.ecr.send(
        new UntagResourceCommand({ resourceArn: target, tagKeys: delta.remove }),
      );
    }
  },
};
