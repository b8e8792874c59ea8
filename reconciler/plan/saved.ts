/**
 * Saved plans (`reconciler plan --out FILE`, `reconciler apply FILE`): the plan together with what
 * it was computed from, so apply can carry out exactly what was reviewed and refuse a stale one.
 * Pure: hashing, the file's shape and the staleness check; the commands do the I/O.
 */
import { createHash } from 'node:crypto';
import type { Plan, ResourceChange } from './types.ts';

/** SAVED_PLAN_KIND tells a saved plan from any other JSON file. */
export const SAVED_PLAN_KIND = 'reconciler-saved-plan';
/** SAVED_PLAN_VERSION is bumped when the file's shape changes incompatibly. */
export const SAVED_PLAN_VERSION = 1;

/** ObservedState is what a fingerprint covers: a resource's identity and live settings. */
export interface ObservedState {
  stack: string;
  address: string;
  kind: string;
  id: string;
  properties: unknown;
  tags: Record<string, string>;
}

/** SavedPlan is the file `plan --out` writes. */
export interface SavedPlan {
  kind: typeof SAVED_PLAN_KIND;
  version: typeof SAVED_PLAN_VERSION;
  createdAt: string;
  /** The spec paths the plan was made from, absolute, and the `--stack` selection. */
  paths: string[];
  stacks: string[];
  /** sha256 of each selected stack's spec (as loaded and validated), by stack name. */
  specs: Record<string, string>;
  /** sha256 of each observed owned resource (`stack/address`): id, kind, properties and tags. */
  observed: Record<string, string>;
  plan: Plan;
}

/** stableJson is JSON with object keys sorted at every level, so equal values hash equally. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** sha256 of a value's stable JSON. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

/** fingerprints maps `stack/address` to the hash of what was observed there. */
export function fingerprints(observed: readonly ObservedState[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of observed) {
    const { stack, address, kind, id, properties, tags } = entry;
    out[`${stack}/${address}`] = hashOf({ kind, id, properties, tags });
  }
  return out;
}

/** specHashes maps each stack's name to the hash of its spec. */
export function specHashes(specs: readonly { name: string }[]): Record<string, string> {
  return Object.fromEntries(specs.map((spec) => [spec.name, hashOf(spec)]));
}

/** parseSavedPlan reads a saved plan's text, or throws saying why it is not one. */
export function parseSavedPlan(text: string, file: string): SavedPlan {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not a saved plan (not JSON); make one with plan --out ${file}`);
  }
  const saved = parsed as Partial<SavedPlan>;
  if (saved?.kind !== SAVED_PLAN_KIND) {
    throw new Error(`${file} is not a saved plan; make one with plan --out ${file}`);
  }
  if (saved.version !== SAVED_PLAN_VERSION) {
    throw new Error(
      `${file} is a saved plan of format ${String(saved.version)}, this reconciler reads ${SAVED_PLAN_VERSION}: plan again`,
    );
  }
  return saved as SavedPlan;
}

function changeKey(change: ResourceChange): string {
  return stableJson({
    address: change.address,
    action: change.action,
    fields: change.fields,
    id: change.id,
    guarded: change.guarded,
    notOwned: change.notOwned,
  });
}

function differing(saved: Record<string, string>, now: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(now)]);
  return [...keys].filter((key) => saved[key] !== now[key]).sort();
}

function describe(saved: Record<string, string>, now: Record<string, string>, key: string): string {
  if (!(key in now)) return `${key} (gone)`;
  if (!(key in saved)) return `${key} (new)`;
  return key;
}

function listed(keys: string[], saved: Record<string, string>, now: Record<string, string>) {
  const shown = keys.slice(0, 5).map((key) => describe(saved, now, key));
  return `${shown.join(', ')}${keys.length > 5 ? ` and ${keys.length - 5} more` : ''}`;
}

/**
 * staleReason says why a saved plan may no longer be applied (a spec or a live resource differs
 * from what the plan saw, or the plan computed now differs), or undefined when it still holds.
 */
export function staleReason(
  saved: SavedPlan,
  now: { specs: Record<string, string>; observed: Record<string, string>; plan: Plan },
): string | undefined {
  const specs = differing(saved.specs, now.specs);
  if (specs.length > 0) {
    return `the spec of stack ${listed(specs, saved.specs, now.specs)} changed since the plan was made`;
  }
  const observed = differing(saved.observed, now.observed);
  if (observed.length > 0) {
    return `${listed(observed, saved.observed, now.observed)} changed in AWS since the plan was made`;
  }
  const before = saved.plan.stacks.flatMap((stack) =>
    stack.changes.map((change) => `${stack.name}/${changeKey(change)}`),
  );
  const after = now.plan.stacks.flatMap((stack) =>
    stack.changes.map((change) => `${stack.name}/${changeKey(change)}`),
  );
  if (stableJson(before) !== stableJson(after)) {
    return 'the plan computed now differs from the saved one (a value it looks up changed)';
  }
  return undefined;
}
