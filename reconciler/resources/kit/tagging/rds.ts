import { AddTagsToResourceCommand, RemoveTagsFromResourceCommand } from '@aws-sdk/client-rds';
import { tagMapToList } from '../../../aws/tags.ts';
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
