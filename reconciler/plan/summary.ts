import type { Plan, PlanSummary, StackPlan } from './types.ts';

/** hasChangesIn tells whether a plan would change anything (any action but no-op). */
export function hasChangesIn(plan: Plan): boolean {
  return plan.stacks.some((stack) => stack.changes.some((change) => change.action !== 'no-op'));
}

/** summarize counts actions; a replace is one add and one destroy. */
export function summarize(stacks: readonly StackPlan[]): PlanSummary {
  const summary: PlanSummary = { add: 0, change: 0, destroy: 0, replace: 0, noOp: 0 };
  for (const stack of stacks) {
    for (const change of stack.changes) {
      if (change.action === 'create') summary.add += 1;
      else if (change.action === 'update') summary.change += 1;
      else if (change.action === 'delete') summary.destroy += 1;
      else if (change.action === 'no-op') summary.noOp += 1;
      else {
        summary.replace += 1;
        summary.add += 1;
        summary.destroy += 1;
      }
    }
  }
  return summary;
}
