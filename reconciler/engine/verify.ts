import type { ResourceChange, StackPlan } from '../plan/types.ts';
import type { FailedChange } from './apply.ts';

/** MAX_EXTRA_PASSES bounds the passes apply runs after the first when its replan is not empty. */
export const MAX_EXTRA_PASSES = 2;

function shown(value: unknown): string {
  return value === undefined ? '(nothing)' : JSON.stringify(value);
}

/** outstanding lists the changes a replan still has, but those of resources AWS still works on. */
export function outstanding(
  stacks: readonly StackPlan[],
): Array<{ stack: string; change: ResourceChange }> {
  return stacks.flatMap((stack) =>
    stack.changes
      .filter((change) => change.action !== 'no-op' && !change.pending)
      .map((change) => ({ stack: stack.name, change })),
  );
}

/**
 * inconsistentResult turns what a replan still wants after the last pass into failures, like
 * Terraform's "inconsistent result after apply": which address, which field, what was sent,
 * what AWS keeps returning. Retrying cannot help, so they are terminal.
 */
export function inconsistentResult(
  left: ReadonlyArray<{ stack: string; change: ResourceChange }>,
  passes: number,
  qualify: boolean,
): FailedChange[] {
  return left.map(({ stack, change }) => {
    const fields = change.fields.filter(
      (field) => change.action === 'update' || field.forcesReplacement,
    );
    const detail =
      fields.length > 0
        ? fields
            .map((field) =>
              field.sensitive
                ? `${field.path} (sensitive) does not hold`
                : `${field.path}: sent ${shown(field.after)}, AWS returns ${shown(field.before)}`,
            )
            .join('; ')
        : `still planned to ${change.action} (${change.reason})`;
    return {
      address: qualify ? `${stack}/${change.address}` : change.address,
      action: change.action,
      error: `inconsistent result after apply: AWS did not keep what ${passes} passes sent to ${change.address}: ${detail}`,
      stack,
      kind: change.kind,
      operation: 'verify',
      disposition: 'terminal',
    };
  });
}
