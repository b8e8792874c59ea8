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

/**
 * compact drops the members whose value is undefined: an observed optional property AWS left
 * out is absent, never present as undefined (the diff and the tests tell the two apart).
 */
export function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

/** sortingSets is the common `normalize`: it sorts the set-like fields (ids whose order AWS does not keep). */
export function sortingSets<P>(...fields: (keyof P)[]): (properties: P) => P {
  return (properties) => {
    const sorted = { ...properties };
    for (const field of fields) {
      const values = properties[field];
      if (Array.isArray(values)) sorted[field] = sortedValues(values) as P[keyof P];
    }
    return sorted;
  };
}
