import { isTerminal } from '../aws/errors.ts';
import type { ReconcileResult } from '../engine/reconcile.ts';
import type { FieldChange, ResourceChange } from '../plan/types.ts';
import { ResourceError } from '../resources/kit/errors.ts';
import { type ResourceState, resourceKey } from './metrics.ts';

/** REDACTED replaces the before and after of a sensitive field in logs and status. */
export const REDACTED = '(sensitive)';

/** redactFields returns the changes as loggable `{ path, before, after }`, secrets replaced. */
export function redactFields(
  fields: readonly FieldChange[],
): Array<{ path: string; before: unknown; after: unknown }> {
  return fields.map((field) => ({
    path: field.path,
    before: field.sensitive ? REDACTED : field.before,
    after: field.sensitive ? REDACTED : field.after,
  }));
}

/**
 * outstandingChanges lists what a reconcile found to change: the plan's changes that are not
 * no-ops, then those apply's further passes made (a value changed while the apply ran).
 */
export function outstandingChanges(result: ReconcileResult): ResourceChange[] {
  const planned = result.plan.stacks.flatMap((stack) =>
    stack.changes.filter((change) => change.action !== 'no-op'),
  );
  const seen = new Set(planned.map((change) => change.address));
  const further = (result.furtherChanges ?? []).filter((change) => !seen.has(change.address));
  return [...planned, ...further];
}

const STATE_OF_ACTION: Record<ResourceChange['action'], ResourceState> = {
  'no-op': 'in-sync',
  create: 'missing',
  update: 'drifted',
  replace: 'drifted',
  delete: 'orphaned',
};

/**
 * resourceCounts counts a stack's resources by kind and state after a reconcile: the planned
 * state, except that applied changes are in sync (or pending when AWS still works on them) and
 * deleted resources are no longer counted.
 */
export function resourceCounts(result: ReconcileResult): Map<string, number> {
  const applied = new Set(result.applied.map((entry) => entry.address));
  const pending = new Set(result.pending);
  const counts = new Map<string, number>();
  for (const stack of result.plan.stacks) {
    for (const change of stack.changes) {
      let state = STATE_OF_ACTION[change.action];
      if (applied.has(change.address)) {
        if (change.action === 'delete') continue;
        state = 'in-sync';
      }
      if (pending.has(change.address) || (change.pending && state === 'in-sync')) state = 'pending';
      const key = resourceKey(change.kind, state);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * isTerminalFailure tells whether retrying cannot help: the error, or one in its cause chain,
 * is a ResourceError whose disposition is terminal or an SDK error with a terminal AWS code.
 * Messages are never parsed.
 */
export function isTerminalFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof ResourceError) return current.disposition === 'terminal';
    if (isTerminal(current)) return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}

/** allTerminal tells whether every failure of an apply is terminal (then the stack is not retried before its resync). */
export function allTerminal(failures: ReadonlyArray<{ disposition: string }>): boolean {
  return failures.length > 0 && failures.every((failure) => failure.disposition === 'terminal');
}
