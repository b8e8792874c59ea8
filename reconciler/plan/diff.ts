import { isAwsTag } from '../aws/tags.ts';
import type { FieldRule, Tags } from '../resources/types.ts';
import { type FieldChange, isUnknown } from './types.ts';

/**
 * ruleFor finds the rule of a field path: the most specific entry of `fields` that is the path
 * itself or one of its ancestors (`ingress[1].fromPort`, `ingress[1]`, `ingress`), default `update`.
 */
export function ruleFor(path: string, fields: Record<string, FieldRule>): FieldRule {
  let current = path;
  for (;;) {
    const rule = fields[current];
    if (rule !== undefined) return rule;
    const cut = Math.max(current.lastIndexOf('.'), current.lastIndexOf('['));
    if (cut <= 0) return 'update';
    current = current.slice(0, cut);
  }
}

/** isSensitivePath tells whether a path is one of `sensitive` or lies inside one. */
export function isSensitivePath(path: string, sensitive: readonly string[]): boolean {
  return sensitive.some(
    (root) => path === root || path.startsWith(`${root}.`) || path.startsWith(`${root}[`),
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !isUnknown(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

/** deepEqual compares JSON-like values structurally; arrays are ordered, UNKNOWN equals nothing. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => deepEqual(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!deepEqual(a[key], b[key])) return false;
    return true;
  }
  return false;
}

interface Walk {
  fields: Record<string, FieldRule>;
  sensitive: readonly string[];
  changes: FieldChange[];
}

function change(walk: Walk, path: string, before: unknown, after: unknown): void {
  walk.changes.push({
    path,
    before,
    after,
    forcesReplacement: ruleFor(path, walk.fields) === 'replace',
    sensitive: isSensitivePath(path, walk.sensitive),
  });
}

function compare(walk: Walk, path: string, desired: unknown, observed: unknown): void {
  const rule = ruleFor(path, walk.fields);
  if (rule === 'ignore' || rule === 'create-only') return;
  if (isUnknown(desired)) {
    change(walk, path, observed, desired);
    return;
  }
  if (Array.isArray(desired) && Array.isArray(observed)) {
    const length = Math.max(desired.length, observed.length);
    for (let index = 0; index < length; index += 1) {
      compare(walk, `${path}[${index}]`, desired[index], observed[index]);
    }
    return;
  }
  if (isPlainObject(desired) && isPlainObject(observed)) {
    const keys = [...new Set([...Object.keys(desired), ...Object.keys(observed)])].sort();
    for (const key of keys) compare(walk, `${path}.${key}`, desired[key], observed[key]);
    return;
  }
  if (!deepEqual(desired, observed)) change(walk, path, observed, desired);
}

/**
 * diffProperties compares resolved desired properties with observed ones, field by field.
 * Only properties present in `desired` are managed (an absent one means "whatever AWS has");
 * below the top level both sides count, so a removed map entry or array element shows as a change.
 * Arrays compare by position (kinds normalize and sort them first), `ignore` and `create-only`
 * fields are skipped,
 * a change under a `replace` field forces replacement, and an UNKNOWN desired value ("known after
 * apply") is always a change. Paths use dots and brackets: `ingress[1].fromPort`.
 */
export function diffProperties(
  desired: Record<string, unknown>,
  observed: Record<string, unknown>,
  fields: Record<string, FieldRule>,
  sensitive: readonly string[] = [],
): FieldChange[] {
  const walk: Walk = { fields, sensitive, changes: [] };
  for (const key of Object.keys(desired).sort()) {
    if (desired[key] === undefined) continue;
    compare(walk, key, desired[key], observed[key]);
  }
  return walk.changes;
}

/**
 * diffTags compares tag maps: each added, changed or removed key is one in-place change at
 * `tags.<key>`. Observed tags AWS owns (`aws:` prefix) are ignored.
 */
export function diffTags(desiredTags: Tags, observedTags: Tags): FieldChange[] {
  const keys = new Set([
    ...Object.keys(desiredTags),
    ...Object.keys(observedTags).filter((key) => !isAwsTag(key)),
  ]);
  const changes: FieldChange[] = [];
  for (const key of [...keys].sort()) {
    const before = observedTags[key];
    const after = desiredTags[key];
    if (before === after) continue;
    changes.push({
      path: `tags.${key}`,
      before,
      after,
      forcesReplacement: false,
      sensitive: false,
    });
  }
  return changes;
}

/** countUnchanged is the number of managed top-level properties of `desired` that `changes` leave alone. */
export function countUnchanged(
  desired: Record<string, unknown>,
  fields: Record<string, FieldRule>,
  changes: readonly FieldChange[],
): number {
  const changedRoots = new Set(changes.map((fieldChange) => fieldChange.path.split(/[.[]/)[0]));
  return Object.keys(desired).filter(
    (key) =>
      desired[key] !== undefined &&
      fields[key] !== 'ignore' &&
      fields[key] !== 'create-only' &&
      key !== 'tags' &&
      !changedRoots.has(key),
  ).length;
}

function flatten(path: string, value: unknown, out: Array<{ path: string; value: unknown }>): void {
  const nested =
    (isPlainObject(value) && Object.keys(value).length > 0) ||
    (Array.isArray(value) && value.some((item) => typeof item === 'object' && item !== null));
  if (!nested) {
    if (value !== undefined) out.push({ path, value });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      flatten(`${path}[${index}]`, item, out);
    });
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) flatten(`${path}.${key}`, record[key], out);
}

/**
 * creationFields lists what a create sets, one leaf per nested object field (arrays of scalars stay
 * whole), so an UNKNOWN deep inside a property shows at its own path. Tags come last.
 */
export function creationFields(
  desired: Record<string, unknown>,
  tags: Tags,
  fields: Record<string, FieldRule>,
  sensitive: readonly string[] = [],
): FieldChange[] {
  const leaves: Array<{ path: string; value: unknown }> = [];
  for (const key of Object.keys(desired).sort()) flatten(key, desired[key], leaves);
  return [
    ...leaves
      .filter((leaf) => ruleFor(leaf.path, fields) !== 'ignore')
      .map((leaf) => ({
        path: leaf.path,
        before: undefined,
        after: leaf.value,
        forcesReplacement: false,
        sensitive: isSensitivePath(leaf.path, sensitive),
      })),
    ...diffTags(tags, {}),
  ];
}

/** hasTagChanges tells whether a change list touches tags. */
export function hasTagChanges(changes: readonly FieldChange[]): boolean {
  return changes.some((change) => change.path === 'tags' || change.path.startsWith('tags.'));
}

/** changedFields returns the top-level property names a change list touches (tags excluded). */
export function changedFields(changes: readonly FieldChange[]): Set<string> {
  const names = new Set<string>();
  for (const change of changes) {
    const top = change.path.split(/[.[]/, 1)[0] ?? change.path;
    if (top !== 'tags') names.add(top);
  }
  return names;
}
