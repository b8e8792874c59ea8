import { paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import { TAG_STACK, type Tags, tagListToMap } from '../../../aws/tags.ts';
import type { ResourceContext } from '../../types.ts';
import { memoized } from '../memo.ts';

/** TAG_FILTER_MAX_VALUES is the most values one tagging API tag filter accepts. */
const TAG_FILTER_MAX_VALUES = 20;

/**
 * SHARED_RESOURCE_TYPES are the tagging API resource types whose tags are read together: one
 * paginated GetResources a pass covers them all, each kind takes its own from the answer. A kind
 * reading tags through readTaggedArns adds its type here (any other type costs a call of its own).
 */
export const SHARED_RESOURCE_TYPES = ['logs', 'rds:subgrp', 'sns', 'cloudwatch:alarm'];

/** isOfType tells whether an ARN is of a tagging API resource type (`logs`, `rds:subgrp`). */
export function isOfType(arn: string, resourceType: string): boolean {
  const [service, resource] = resourceType.split(':');
  const parts = arn.split(':');
  return parts[2] === service && (!resource || parts[5]?.split('/')[0] === resource);
}

/**
 * readTaggedArns reads the tags of every resource of one tagging API resource type (`logs`,
 * `rds:subgrp`) tagged for one of ctx.stacks. The types of SHARED_RESOURCE_TYPES share one
 * paginated Resource Groups Tagging API read per pass (through the memo). The filter names the
 * stacks (with more than 20 stacks, any value of the stack tag). ARNs lose a trailing `:*`.
 */
export async function readTaggedArns(
  ctx: ResourceContext,
  resourceType: string,
): Promise<Map<string, Tags>> {
  const shared = SHARED_RESOURCE_TYPES.includes(resourceType);
  const types = shared ? SHARED_RESOURCE_TYPES : [resourceType];
  const all = await memoized(ctx, `tagging:GetResources:${types.join(',')}`, () =>
    getResources(ctx, types),
  );
  return new Map([...all].filter(([arn]) => isOfType(arn, resourceType)));
}

async function getResources(
  ctx: ResourceContext,
  resourceTypes: string[],
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
      ResourceTypeFilters: resourceTypes,
      ResourcesPerPage: 100,
      // pages end at whichever limit comes first: 100 resources carry more than the default 100 tags
      TagsPerPage: 500,
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
