import type {
  DesiredResource,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
} from '../resources/types.ts';
import type { ObservedIndex } from './observe.ts';
import { planLookup, resolveRefs } from './refs.ts';

/** UnownedIndex holds, by stack then address, a resource that has a desired resource's name but not our tags. */
export type UnownedIndex = Map<string, Map<string, ObservedResource>>;

/** DesiredByStack is each stack's expanded desired resources, with its region. */
export interface DesiredStack {
  stack: string;
  region: string;
  resources: readonly DesiredResource[];
}

function primaryOf(candidates: readonly ObservedResource[] | undefined) {
  return candidates?.find((resource) => resource.status !== 'deleting');
}

/**
 * findUnowned asks each kind that can look resources up by name about the desired resources
 * observe did not find: one call per kind and region, only for missing ones, so a converged
 * stack costs no call. Refs resolve from what was observed (UNKNOWN when the target is missing,
 * and the kind skips those). A failed look-up fails the pass, as a failed observe does.
 */
export async function findUnowned(
  contexts: ReadonlyMap<string, ResourceContext>,
  handlers: readonly ResourceHandler[],
  desired: readonly DesiredStack[],
  observed: ObservedIndex,
): Promise<UnownedIndex> {
  const index: UnownedIndex = new Map();
  for (const handler of handlers) {
    if (!handler.findUnowned) continue;
    for (const [region, ctx] of contexts) {
      const missing: DesiredResource[] = [];
      for (const stack of desired.filter((entry) => entry.region === region)) {
        const byAddress = observed.get(stack.stack) ?? new Map();
        const live = new Map<string, ObservedResource>();
        for (const [address, candidates] of byAddress) {
          const primary = primaryOf(candidates);
          if (primary) live.set(address, primary);
        }
        for (const resource of stack.resources) {
          if (resource.kind !== handler.kind || live.has(resource.address)) continue;
          const properties = resolveRefs(
            resource.properties,
            planLookup(live, () => false),
          );
          missing.push({ ...resource, properties });
        }
      }
      if (missing.length === 0) continue;
      let found: ObservedResource[];
      try {
        found = await handler.findUnowned(ctx, missing);
      } catch (err) {
        throw new Error(
          `cannot look up ${handler.kind} by name in ${region}: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      for (const resource of found) {
        const byAddress = index.get(resource.stack) ?? new Map<string, ObservedResource>();
        byAddress.set(resource.address, resource);
        index.set(resource.stack, byAddress);
      }
    }
  }
  return index;
}
