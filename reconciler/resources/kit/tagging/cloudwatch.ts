import {
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { type Tags, tagListToMap, tagMapToList } from '../../../aws/tags.ts';
import type { ResourceContext } from '../../types.ts';
import type { TaggingFamily } from './delta.ts';

/** cloudwatchTagging writes tags of CloudWatch alarms and dashboards by ARN (`[{ Key, Value }]`). */
export const cloudwatchTagging: TaggingFamily = {
  family: 'cloudwatch',
  iamActions: ['cloudwatch:TagResource', 'cloudwatch:UntagResource'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.cloudwatch.send(
        new TagResourceCommand({ ResourceARN: target, Tags: tagMapToList(delta.set) }),
      );
    }
    if (delta.remove.length > 0) {
      await ctx.clients.cloudwatch.send(
        new UntagResourceCommand({ ResourceARN: target, TagKeys: delta.remove }),
      );
    }
  },
};

/** cloudwatchTags reads the tags of one CloudWatch resource (a dashboard: no batch form exists). */
export async function cloudwatchTags(ctx: ResourceContext, arn: string): Promise<Tags> {
  const listed = await ctx.clients.cloudwatch.send(
    new ListTagsForResourceCommand({ ResourceARN: arn }),
  );
  return tagListToMap(listed.Tags);
}
