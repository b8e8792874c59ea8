import { managementTags } from '../aws/tags.ts';
import type { DeletionPolicy, DesiredResource, Tags } from '../resources/types.ts';
import type { ResolvedStack } from '../spec/types.generated.ts';
import { kindOf } from './addresses.ts';

/** stackTags is every tag a resource of `stack` at `address` must carry: spec tags, environment, ours. */
export function stackTags(stack: ResolvedStack, address: string, extra: Tags = {}): Tags {
  return {
    ...stack.tags,
    environment: stack.environment,
    ...extra,
    ...managementTags(stack.name, address),
  };
}

/** desired builds a DesiredResource of `stack` with the stack's tags and deletion policy. */
export function desired<P extends Record<string, unknown>>(
  stack: ResolvedStack,
  address: string,
  properties: P,
  options: { dependsOn?: string[]; deletionPolicy?: DeletionPolicy; tags?: Tags } = {},
): DesiredResource<P> {
  return {
    address,
    kind: kindOf(address),
    stack: stack.name,
    region: stack.region,
    properties,
    tags: stackTags(stack, address, options.tags),
    dependsOn: options.dependsOn ?? [],
    deletionPolicy: options.deletionPolicy ?? stack.deletionPolicy,
  };
}
