import type { Ref } from '../types.ts';

/**
 * resolved returns the value of a property that may hold a Ref. The engine resolves every Ref
 * before a create or an update, so one left here is a bug in the ordering: say what it names.
 */
export function resolved(value: string | Ref, what: string): string {
  if (typeof value !== 'string') {
    throw new Error(`${what} is an unresolved reference to ${value.$ref}`);
  }
  return value;
}
