import {
  CreateTagsCommand,
  DeleteTagsCommand,
  type Filter,
  type ResourceType,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import { TAG_STACK, type Tags, tagMapToList } from '../../../aws/tags.ts';
import type { ResourceContext } from '../../types.ts';
import type { TaggingFamily } from './delta.ts';

/** ec2Tagging writes tags of EC2 resources by id (CreateTags, DeleteTags). */
export const ec2Tagging: TaggingFamily = {
  family: 'ec2',
  iamActions: ['ec2:CreateTags', 'ec2:DeleteTags'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.ec2.send(
        new CreateTagsCommand({ Resources: [target], Tags: tagMapToList(delta.set) }),
      );
    }
    if (delta.remove.length > 0) {
      await ctx.clients.ec2.send(
        new DeleteTagsCommand({ Resources: [target], Tags: delta.remove.map((Key) => ({ Key })) }),
      );
    }
  },
};

/** stackFilters is the EC2 filter selecting every resource tagged for one of ctx.stacks. */
export function stackFilters(ctx: ResourceContext): Filter[] {
  return [{ Name: `tag:${TAG_STACK}`, Values: [...ctx.stacks] }];
}

/** tagSpecifications sets every tag at creation, so no untagged resource ever exists. */
export function tagSpecifications(resourceType: ResourceType, tags: Tags): TagSpecification[] {
  return [{ ResourceType: resourceType, Tags: tagMapToList(tags) }];
}
