import { isUnknown } from '../../plan/types.ts';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isUnknown(value);
}

/**
 * canonicalJson serializes a JSON-like value with sorted object keys and undefined members
 * dropped, for structural comparison of documents (policies, container definitions). An
 * UNKNOWN marker ("known after apply") is kept as it is, so it never equals a real value.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, member: unknown) => {
    if (isPlainObject(member)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(member).sort()) sorted[key] = member[key];
      return sorted;
    }
    return member;
  });
}

/** sameValue compares two JSON-like values structurally (key order and undefined members do not matter). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * sortedValues sorts a set-like list for order-independent comparison; values that are not
 * strings (an UNKNOWN marker, objects) sort after the strings by their canonical JSON text.
 */
export function sortedValues<T>(values: readonly T[] | undefined): T[] {
  const key = (value: T) => (typeof value === 'string' ? `0${value}` : `1${canonicalJson(value)}`);
  return [...(values ?? [])].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
