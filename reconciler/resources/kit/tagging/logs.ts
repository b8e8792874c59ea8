import {
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import { TAG_STACK, type Tags, tagListToMap } from '../../../aws/tags.ts';
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

/** TAG_FILTER_MAX_VALUES is the most values one tagging API tag filter accepts. */
const TAG_FILTER_MAX_VALUES = 20;

/**
 * readTaggedArns reads the tags of every resource of one service (`logs`, `rds`) tagged for
 * one of ctx.stacks with one paginated Resource Groups Tagging API call. The filter names the
 * stacks (with more than 20 stacks, any value of the stack tag). ARNs lose a trailing `:*`.
 */
export async function readTaggedArns(
  ctx: ResourceContext,
  resourceType: string,
): Promise<Map<string, Tags>> {
  const tagsByArn = new Map<string, Tags>();
  const pages = paginateGetResources(
    { client: ctx.clients.tagging },
    {
      TagFilters: [
        ctx.stacks.length <= TAG_FILTER_MAX_VALUES
          ? { Key: TAG_STACK, Values: [...ctx.stacks] }
          : { Key: TAG_STACK },
      ],
      ResourceTypeFilters: [resourceType],
      ResourcesPerPage: 100,
    },
  );
  for await (const page of pages) {
    for (const mapping of page.ResourceTagMappingList ?? []) {
      const arn = mapping.ResourceARN?.replace(/:\*$/, '');
      if (arn) tagsByArn.set(arn, tagListToMap(mapping.Tags));
    }
  }
  return tagsByArn;
}
