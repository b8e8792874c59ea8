import type { ReconcileResult } from '../engine/reconcile.ts';
import { summarize } from '../plan/summary.ts';

/**
 * stackResult is one stack's part of a plan-mode result of several stacks, as a plan of that
 * stack alone would have returned it: its stack plan and summary, and its failures, pending
 * resources and observed resources with plain addresses (`subnet.a`, not `shop/subnet.a`).
 */
export function stackResult(result: ReconcileResult, stack: string): ReconcileResult {
  const stacks = result.plan.stacks.filter((plan) => plan.name === stack);
  const qualified = result.plan.stacks.length > 1;
  const prefix = `${stack}/`;
  const own = (address: string) =>
    !qualified ? [address] : address.startsWith(prefix) ? [address.slice(prefix.length)] : [];
  return {
    plan: { ...result.plan, stacks, summary: summarize(stacks) },
    applied: [],
    failures: result.failures
      .filter((failure) => failure.stack === stack)
      .map((failure) => ({ ...failure, address: own(failure.address)[0] ?? failure.address })),
    skipped: result.skipped.flatMap(own),
    pending: result.pending.flatMap(own),
    waiting: result.waiting
      ?.filter((waiting) => waiting.stack === stack)
      .map((waiting) => ({ ...waiting, address: own(waiting.address)[0] ?? waiting.address })),
    observed: result.observed?.filter((entry) => entry.stack === stack),
  };
}
