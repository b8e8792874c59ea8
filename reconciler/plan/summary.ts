import type { Plan } from './types.ts';

/** hasChangesIn tells whether a plan would change anything (any action but no-op). */
export function hasChangesIn(plan: Plan): boolean {
  return plan.stacks.some((stack) => stack.changes.some((change) => change.action !== 'no-op'));
}
