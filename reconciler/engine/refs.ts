import { UNKNOWN, type Unknown } from '../plan/types.ts';
import { isRef, type ObservedResource, type Ref } from '../resources/types.ts';

/** RefLookup answers the value of one Ref: a string, or UNKNOWN when it exists only after apply. */
export type RefLookup = (ref: Ref) => string | Unknown;

/** resolveRefs returns a copy of a value with every Ref (at any depth) replaced by what `lookup` answers. */
export function resolveRefs<T>(value: T, lookup: RefLookup): T {
  const walk = (item: unknown): unknown => {
    if (isRef(item)) return lookup(item);
    if (Array.isArray(item)) return item.map(walk);
    if (typeof item === 'object' && item !== null) {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    }
    return item;
  };
  return walk(value) as T;
}

/**
 * planLookup resolves Refs for planning: a target that will be created or replaced, or whose
 * attribute AWS does not report yet, is UNKNOWN ("known after apply"); otherwise the observed value.
 */
export function planLookup(
  live: ReadonlyMap<string, ObservedResource>,
  willChangeIdentity: (address: string) => boolean,
): RefLookup {
  return (target) => {
    if (willChangeIdentity(target.$ref)) return UNKNOWN;
    return live.get(target.$ref)?.attributes[target.attr] ?? UNKNOWN;
  };
}

/** applyLookup resolves Refs during apply, from resources observed or just created; a missing one is an error. */
export function applyLookup(live: ReadonlyMap<string, ObservedResource>): RefLookup {
  return (target) => {
    const resource = live.get(target.$ref);
    if (!resource) {
      throw new Error(`cannot resolve reference to ${target.$ref}: it does not exist`);
    }
    const value = resource.attributes[target.attr];
    if (value === undefined) {
      throw new Error(
        `cannot resolve reference to ${target.$ref}.${target.attr}: ${resource.id} has no attribute '${target.attr}'`,
      );
    }
    return value;
  };
}
