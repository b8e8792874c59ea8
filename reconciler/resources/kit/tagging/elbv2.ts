import {
  AddTagsCommand,
  DescribeTagsCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type Tags, tagListToMap, tagMapToList } from '../../../aws/tags.ts';
import { chunk } from '../../../lib/chunk.ts';
import type { ResourceContext } from '../../types.ts';
import type { TaggingFamily } from './delta.ts';

/** elbv2Tagging writes tags of load balancers, target groups, listeners and rules by ARN. */
export const elbv2Tagging: TaggingFamily = {
  family: 'elbv2',
  iamActions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.elbv2.send(
        new AddTagsCommand({ ResourceArns: [target], Tags: tagMapToList(delta.set) }),
      );
    }
    if (delta.remove.length > 0) {
      await ctx.clients.elbv2.send(
        new RemoveTagsCommand({ ResourceArns: [target], TagKeys: delta.remove }),
      );
    }
  },
};

/** ELBV2_TAG_BATCH is the most ARNs DescribeTags accepts in one call. */
export const ELBV2_TAG_BATCH = 20;

/** describeElbv2Tags reads the tags of every ARN, in DescribeTags calls of 20 ARNs each. */
export async function describeElbv2Tags(
  ctx: ResourceContext,
  arns: readonly string[],
): Promise<Map<string, Tags>> {
  const tagsByArn = new Map<string, Tags>();
  for (const batch of chunk(arns, ELBV2_TAG_BATCH)) {
    const described = await ctx.clients.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: batch }),
    );
    for (const description of described.TagDescriptions ?? []) {
      if (description.ResourceArn) {
        tagsByArn.set(description.ResourceArn, tagListToMap(description.Tags));
      }
    }
  }
  return tagsByArn;
}
