import {
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Tags } from '../../../aws/tags.ts';
import type { ResourceContext } from '../../types.ts';
import type { TaggingFamily } from './delta.ts';

/** logsTagging writes tags of CloudWatch Logs log groups by ARN (without the `:*` suffix). */
export const logsTagging: TaggingFamily = {
  family: 'logs',
  iamActions: ['logs:TagResource', 'logs:UntagResource'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.logs.send(new TagResourceCommand({ resourceArn: target, tags: delta.set }));
    }
    if (delta.remove.length > 0) {
      await ctx.clients.logs.send(
        new UntagResourceCommand({ resourceArn: target, tagKeys: delta.remove }),
      );
    }
  },
};

/** logGroupTags reads the tags of one log group (its ARN without `:*`). */
export async function logGroupTags(ctx: ResourceContext, arn: string): Promise<Tags> {
  const listed = await ctx.clients.logs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  return listed.tags ?? {};
}
