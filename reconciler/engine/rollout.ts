import { formatElapsed } from './progress.ts';
import type { PreparedReconcile, ReconcileResult } from './reconcile.ts';
import type { WaitResult } from './wait.ts';

/** RolloutDeps is what waitForRollout needs from the outside; the CLI passes AWS, tests a fake cloud. */
export interface RolloutDeps {
  /** observe and plan again: `plan` to look at pending resources, `apply` to apply what waited. */
  prepare(mode: 'plan' | 'apply'): Promise<PreparedReconcile>;
  /** waitForStable over every region in scope, within timeoutMs. */
  waitStable(timeoutMs: number): Promise<WaitResult>;
  /** One progress line (stdout in the CLI). */
  print(line: string): void;
  /** Called with each apply of what waited, to report its failures. */
  onApplied?(result: ReconcileResult): void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** RolloutOptions bounds waitForRollout: one deadline for everything, and the pause between polls. */
export interface RolloutOptions {
  timeoutMs: number;
  intervalMs: number;
}

/** AppliedState is what an apply left: pending addresses, and the ones waiting on a Ref with why. */
export interface AppliedState {
  pending: string[];
  waiting: { address: string }[];
}

function qualifiedChanges(prepared: PreparedReconcile): string[] {
  const qualify = prepared.plan.stacks.length > 1;
  return prepared.plan.stacks.flatMap((stack) =>
    stack.changes
      .filter((change) => change.action !== 'no-op')
      .map((change) => (qualify ? `${stack.name}/${change.address}` : change.address)),
  );
}

/**
 * waitForRollout is `apply --wait`. One deadline bounds it all. While resources are pending in
 * AWS it observes again every interval; then it applies what an apply left waiting for them (a
 * task definition waiting for the database endpoint), but only when the new plan changes nothing
 * else, so nothing runs that the confirmed plan did not show; it repeats until nothing is pending,
 * then waits for stable rollouts (waitStable). `ok` is false with the problems when something
 * failed, the plan changed, or the time ran out.
 */
export async function waitForRollout(
  applied: AppliedState,
  options: RolloutOptions,
  deps: RolloutDeps,
): Promise<WaitResult> {
  const now = deps.now ?? Date.now;
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  const deadline = started + options.timeoutMs;
  let pending = applied.pending;
  let deferred = applied.waiting.map((entry) => entry.address);
  let waitedForPending = false;
  while (pending.length > 0) {
    const observedPending = pending.filter((address) => !deferred.includes(address));
    const elapsed = now() - started;
    if (now() >= deadline) {
      return {
        ok: false,
        problems: [`timed out after ${formatElapsed(elapsed)} waiting for: ${pending.join(', ')}`],
      };
    }
    if (observedPending.length > 0) {
      deps.print(
        `waiting for ${observedPending.join(', ')} to become ready... (${formatElapsed(elapsed)} elapsed)`,
      );
      waitedForPending = true;
      await sleep(Math.min(options.intervalMs, deadline - now()));
      const prepared = await deps.prepare('plan');
      prepared.close();
      pending = [...prepared.pending, ...deferred];
      continue;
    }
    const prepared = await deps.prepare('apply');
    try {
      const unexpected = qualifiedChanges(prepared).filter(
        (address) => !deferred.includes(address),
      );
      if (unexpected.length > 0) {
        return {
          ok: false,
          problems: [`the plan changed while waiting (${unexpected.join(', ')}); run apply again`],
        };
      }
      deps.print(`applying what waited for pending resources: ${deferred.join(', ')}`);
      const result = await prepared.apply();
      deps.onApplied?.(result);
      if (result.failures.length > 0) {
        return {
          ok: false,
          problems: result.failures.map((failure) => `${failure.address}: ${failure.error}`),
        };
      }
      pending = result.pending;
      deferred = (result.waiting ?? []).map((entry) => entry.address);
    } finally {
      prepared.close();
    }
  }
  if (waitedForPending) {
    deps.print(`all resources ready (${formatElapsed(now() - started)})`);
  }
  return deps.waitStable(Math.max(0, deadline - now()));
}
