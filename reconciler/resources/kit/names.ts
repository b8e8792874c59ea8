import { createHash } from 'node:crypto';
import type { DesiredResource } from '../types.ts';
import type { Found, Live } from './define-kind.ts';
import { readEach } from './read-each.ts';

/**
 * shortName keeps an AWS name within `max` characters: unchanged when it fits, otherwise cut and
 * suffixed with a 6-character hash of the full name, so two long names never collide.
 */
export function shortName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  const head = name.slice(0, max - hash.length - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/**
 * foundByName is a kind's findByName over a listing of every resource of the kind in the
 * region (names are unique per region): the listed resources named like a desired one (its
 * `name` property, or what `wanted` says), each completed by `read` when the listing lacks
 * something (its attributes; one deleted meanwhile is dropped) and mapped by the kind's
 * `toObserved`, with the address of the desired resource that wants the name.
 */
export async function foundByName<T, L, P>(lookup: {
  desired: readonly DesiredResource<P>[];
  listed: readonly T[];
  nameOf: (item: T) => string | undefined;
  wanted?: (resource: DesiredResource<P>) => unknown;
  notFound?: readonly string[];
  read?: (item: T) => Promise<L>;
  toObserved: (live: L) => Live<P> | undefined;
}): Promise<Found<P>[]> {
  const wanted = lookup.wanted ?? ((resource) => (resource.properties as { name?: unknown }).name);
  const read = lookup.read ?? (async (item: T) => item as unknown as L);
  const addressByName = new Map<string, string>();
  for (const resource of lookup.desired) {
    const name = wanted(resource);
    if (typeof name === 'string' && !addressByName.has(name)) {
      addressByName.set(name, resource.address);
    }
  }
  const named = lookup.listed.flatMap((item) => {
    const address = addressByName.get(lookup.nameOf(item) ?? '');
    return address === undefined ? [] : [{ item, address }];
  });
  const found = await readEach(named, lookup.notFound ?? [], async ({ item, address }) => {
    const live = lookup.toObserved(await read(item));
    return live && { ...live, address };
  });
  return found.filter((live) => live !== undefined);
}
