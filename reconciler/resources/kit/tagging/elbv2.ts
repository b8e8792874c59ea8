import {
  AddTagsCommand,
  DescribeTagsCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { TAG_STACK, type Tags, tagListToMap, tagMapToList } from '../../../aws/tags.ts';
import { chunk } from '../../../lib/chunk.ts';
import type { DesiredResource, ResourceContext } from '../../types.ts';
import { assertOwned } from '../owned.ts';
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

/** Tagged is one ELBv2 resource with its ARN and the tags DescribeTags read for it. */
export interface Tagged<T> {
  resource: T;
  arn: string;
  tags: Tags;
}

/** describeTagged pairs every resource that has an ARN with its tags (DescribeTags, 20 ARNs a call). */
export async function describeTagged<T>(
  ctx: ResourceContext,
  resources: readonly T[],
  arnOf: (resource: T) => string | undefined,
): Promise<Tagged<T>[]> {
  const withArn = resources.flatMap((resource) => {
    const arn = arnOf(resource);
    return arn ? [{ resource, arn }] : [];
  });
  const tagsByArn = await describeElbv2Tags(
    ctx,
    withArn.map((entry) => entry.arn),
  );
  return withArn.map((entry) => ({ ...entry, tags: tagsByArn.get(entry.arn) ?? {} }));
}

/**
 * confirmOwned reads the tags of a resource an ELBv2 create just returned. ELBv2 creates are
 * idempotent for identical settings: a create matching an existing resource returns that one,
 * which may belong to someone else; assertOwned decides. `adoptable`: the kind can adopt by name.
 */
export async function confirmOwned(
  ctx: ResourceContext,
  arn: string,
  desired: Pick<DesiredResource, 'kind' | 'stack' | 'address'>,
  { adoptable } = { adoptable: true },
): Promise<void> {
  assertOwned(desired, arn, (await describeElbv2Tags(ctx, [arn])).get(arn) ?? {}, adoptable);
}

/** inStacks keeps the resources whose stack tag names one of ctx.stacks (the kit then matches addresses). */
export function inStacks<T>(ctx: ResourceContext, tagged: readonly Tagged<T>[]): Tagged<T>[] {
  return tagged.filter((entry) => ctx.stacks.includes(entry.tags[TAG_STACK] ?? ''));
}
