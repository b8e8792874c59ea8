import type { DesiredResource, ResourceContext, ResourceHandler } from '../resources/types.ts';
import type { DesiredStack } from './unowned.ts';

/**
 * lookUpValues lets each kind that has a `lookup` fill in the desired values the specs name by
 * where AWS keeps them (the ECS-optimized AMI id by its public SSM parameter): one call per kind
 * and region, with the kind's desired resources of every stack there, once per pass. A kind
 * without desired resources costs no call. A failed look-up fails the pass, as a failed observe
 * does: planning with a value that could not be read would show a change that is not one.
 */
export async function lookUpValues(
  contexts: ReadonlyMap<string, ResourceContext>,
  handlers: readonly ResourceHandler[],
  desired: readonly DesiredStack[],
): Promise<Map<string, DesiredResource[]>> {
  const looked = new Map<string, DesiredResource>();
  for (const handler of handlers) {
    if (!handler.lookup) continue;
    for (const [region, ctx] of contexts) {
      const resources = desired
        .filter((stack) => stack.region === region)
        .flatMap((stack) => stack.resources.filter((resource) => resource.kind === handler.kind));
      if (resources.length === 0) continue;
      let filled: DesiredResource[];
      try {
        filled = await handler.lookup(ctx, resources);
      } catch (err) {
        throw new Error(
          `cannot look up the values of ${handler.kind} in ${region}: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      for (const resource of filled)
        looked.set(`${resource.stack}\u0000${resource.address}`, resource);
    }
  }
  return new Map(
    desired.map((stack) => [
      stack.stack,
      stack.resources.map(
        (resource) => looked.get(`${resource.stack}\u0000${resource.address}`) ?? resource,
      ),
    ]),
  );
}
