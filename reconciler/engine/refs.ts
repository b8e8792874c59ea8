import { UNKNOWN, type Unknown } from '../plan/types.ts';
import { isRef, type ObservedResource, type Ref } from '../resources/types.ts';

/** RefLookup answers the value of one Ref: a string, or UNKNOWN when it exists only after apply. */
export type RefLookup = (ref: Ref) => string | Unknown;

/**
 * resolveRefs returns a copy of a value with every Ref (at any depth) replaced by what `lookup`
 * answers, followed by the Ref's suffix (an UNKNOWN value stays UNKNOWN).
 */
export function resolveRefs<T>(value: T, lookup: RefLookup): T {
  const walk = (item: unknown): unknown => {
    if (isRef(item)) {
      const resolved = lookup(item);
      return item.suffix === undefined || typeof resolved !== 'string'
        ? resolved
        : `${resolved}${item.suffix}`;
    }
    if (Array.isArray(item)) return item.map(walk);
    if (typeof item === 'object' && item !== null) {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    }
    return item;
  };
  return walk(value) as T;
}

/**
 * planLookup resolves Refs for planning: an attribute the plan will give a new value (the target
 * is created or replaced, or its planned update changes that attribute), or one AWS does not
 * report yet, is UNKNOWN ("known after apply"); otherwise the observed value.
 */
export function planLookup(
  live: ReadonlyMap<string, ObservedResource>,
  willChange: (address: string, attr: string) => boolean,
): RefLookup {
  return (target) => {
    if (willChange(target.$ref, target.attr)) return UNKNOWN;
    return live.get(target.$ref)?.attributes[target.attr] ?? UNKNOWN;
  };
}

/**
 * MissingAttributeError: a Ref names an attribute its target does not report yet (an RDS instance
 * being created has no endpoint). The dependent waits for a later run instead of failing.
 */
export class MissingAttributeError extends Error {
  override name = 'MissingAttributeError';
  constructor(
    readonly target: string,
    readonly attr: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * applyLookup resolves Refs during apply, from resources observed or just created. A missing
 * target or attribute is an error, but a MissingAttributeError when the target is still pending.
 */
export function applyLookup(live: ReadonlyMap<string, ObservedResource>): RefLookup {
  return (target) => {
    const resource = live.get(target.$ref);
    if (!resource) {
      throw new Error(`cannot resolve reference to ${target.$ref}: it does not exist`);
    }
    const value = resource.attributes[target.attr];
    if (value === undefined && resource.status === 'pending') {
      throw new MissingAttributeError(
        target.$ref,
        target.attr,
        `waiting for ${target.$ref} ${target.attr}`,
      );
    }
    if (value === undefined) {
      throw new Error(
        `cannot resolve reference to ${target.$ref}.${target.attr}: ${resource.id} has no attribute '${target.attr}'`,
      );
    }
    return value;
  };
}
