import {
  TagInstanceProfileCommand,
  TagRoleCommand,
  UntagInstanceProfileCommand,
  UntagRoleCommand,
} from '@aws-sdk/client-iam';
import { tagMapToList } from '../../../aws/tags.ts';
import type { TaggingFamily } from './delta.ts';

/** iamRoleTagging writes tags of IAM roles by role name (IAM has one tag API per entity type). */
export const iamRoleTagging: TaggingFamily = {
  family: 'iam-role',
  iamActions: ['iam:TagRole', 'iam:UntagRole'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.iam.send(
        new TagRoleCommand({ RoleName: target, Tags: tagMapToList(delta.set) }),
      );
    }
    if (delta.remove.length > 0) {
      await ctx.clients.iam.send(new UntagRoleCommand({ RoleName: target, TagKeys: delta.remove }));
    }
  },
};

/** iamInstanceProfileTagging writes tags of IAM instance profiles by profile name. */
export const iamInstanceProfileTagging: TaggingFamily = {
  family: 'iam-instance-profile',
  iamActions: ['iam:TagInstanceProfile', 'iam:UntagInstanceProfile'],
  async write(ctx, target, delta) {
    if (Object.keys(delta.set).length > 0) {
      await ctx.clients.iam.send(
        new TagInstanceProfileCommand({
          InstanceProfileName: target,
          Tags: tagMapToList(delta.set),
        }),
      );
    }
    if (delta.remove.length > 0) {
      await ctx.clients.iam.send(
        new UntagInstanceProfileCommand({ InstanceProfileName: target, TagKeys: delta.remove }),
      );
    }
  },
};
