import { canonicalJson, sameValue } from './json.ts';

/** KeyedDelta is what turns a live collection into the desired one, members matched by key. */
export interface KeyedDelta<D, L> {
  /** Desired members with no live one of their key, in desired order. */
  add: D[];
  /** Members of one key on both sides that differ, in desired order. */
  change: Array<{ desired: D; live: L }>;
  /** Live members no desired one has the key of, in live order. */
  remove: L[];
}

/**
 * keyedDelta compares a desired collection (routes, rules, policies, subnet ids) with the live
 * one by key: `key` defaults to the member itself (a set of ids), `liveKey` to `key` (both sides
 * of one shape), `same` to a structural comparison. A key given twice counts once, the first time.
 */
export function keyedDelta<D, L = D>(
  desired: readonly D[],
  live: readonly L[],
  match: {
    key?: (member: D) => string;
    liveKey?: (member: L) => string;
    same?: (desired: D, live: L) => boolean;
  } = {},
): KeyedDelta<D, L> {
  const key =
    match.key ?? ((member: D) => (typeof member === 'string' ? member : canonicalJson(member)));
  const liveKey = match.liveKey ?? (key as unknown as (member: L) => string);
  const same = match.same ?? sameValue;
  const liveByKey = new Map<string, L>();
  for (const member of live)
    if (!liveByKey.has(liveKey(member))) liveByKey.set(liveKey(member), member);
  const wanted = new Map<string, D>();
  for (const member of desired) if (!wanted.has(key(member))) wanted.set(key(member), member);
  const delta: KeyedDelta<D, L> = { add: [], change: [], remove: [] };
  for (const [key, member] of wanted) {
    const current = liveByKey.get(key);
    if (current === undefined) delta.add.push(member);
    else if (!same(member, current)) delta.change.push({ desired: member, live: current });
  }
  delta.remove = [...liveByKey].filter(([key]) => !wanted.has(key)).map(([, member]) => member);
  return delta;
}
