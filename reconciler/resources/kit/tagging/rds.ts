import {
  AddTagsToResourceCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-rds';
import { type Tags, tagListToMap, tagMapToList } from '../../../aws/tags.ts';
import type { ResourceContext } from '../../types.ts';
import type { TaggingFamily } from './delta.ts';

/** rdsTagging writes tags of RDS resources (instances, subnet groups) by ARN. */
export const rdsTagging: TaggingFamily = {
  family: 'rds',
  iamActions: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.rds.send(
        new AddTagsToResourceCommand({ ResourceName: target, Tags: tagMapToList(delta.set) }),
      );
    }
    if (delta.remove.length > 0) {
      await ctx.clients.rds.send(
        new RemoveTagsFromResourceCommand({ ResourceName: target, TagKeys: delta.remove }),
      );
    }
  },
};

/** rdsTags reads the tags of one RDS resource by ARN (subnet groups have no batch tag read). */
export async function rdsTags(ctx: ResourceContext, arn: string | undefined): Promise<Tags> {
  const listed = await ctx.clients.rds.send(new ListTagsForResourceCommand({ ResourceName: arn }));
  return tagListToMap(listed.TagList);
}
