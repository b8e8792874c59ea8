import { isThrottling } from '../aws/errors.ts';
import { mapBounded } from '../lib/pool.ts';
import { defaultStability } from '../resources/kit/define-kind.ts';
import { createMemo } from '../resources/kit/memo.ts';
import { HANDLERS } from '../resources/registry.ts';
import type { ResourceContext, ResourceHandler, StabilityVerdict } from '../resources/types.ts';
import { DEFAULT_PARALLELISM } from './reconcile.ts';

/** Assessment: `problems` end the wait as failed; `waiting` lists what is not stable yet. */
export interface Assessment {
  waiting: string[];
  problems: string[];
}

/**
 * assessStability is the pure verdict on one poll: each verdict that is not stable becomes one
 * line `<stack>/<address>: <detail>`, a failed one a problem, a waiting one something to wait for.
 */
export function assessStability(verdicts: readonly StabilityVerdict[]): Assessment {
  const assessment: Assessment = { waiting: [], problems: [] };
  for (const verdict of verdicts) {
    if (verdict.state === 'stable') continue;
    const line = `${verdict.stack}/${verdict.address}: ${verdict.detail ?? verdict.state}`;
    (verdict.state === 'failed' ? assessment.problems : assessment.waiting).push(line);
  }
  return assessment;
}

/**
 * pollStability is one poll: each kind observes its resources of `stacks` through its handler
 * (one memo for the poll, so a parent shared by kinds is read once; as many reads at once as an
 * observe pass) and judges them with its `stability`, or by their status when it has none. The
 * verdicts come back per kind.
 */
export async function pollStability(
  ctx: ResourceContext,
  stacks: readonly string[],
  handlers: readonly ResourceHandler[],
): Promise<Map<string, StabilityVerdict[]>> {
  const pass: ResourceContext = { ...ctx, stacks: [...stacks], memo: createMemo() };
  const verdicts = await mapBounded(handlers, DEFAULT_PARALLELISM, async (handler) => {
    const observed = await handler.observeAll(pass);
    return (handler.stability ?? defaultStability)(pass, observed);
  });
  return new Map(handlers.map((handler, index) => [handler.kind, verdicts[index] ?? []]));
}

/** WaitOptions configures waitForStable; `now` and `sleep` are injectable for tests. */
export interface WaitOptions {
  timeoutMs: number;
  /** Pause between polls (default 10 s). */
  intervalMs?: number;
  /** Receives one human line per poll. */
  onProgress?: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The kinds to judge (default every registered kind). */
  handlers?: readonly ResourceHandler[];
}

/** WaitResult: ok when everything settled; otherwise the problems (a rollback, a failed database, the timeout). */
export interface WaitResult {
  ok: boolean;
  problems: string[];
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

/**
 * waitForStable is `apply --wait`: it polls every kind's stability (ECS deployments and target
 * health, database status, any resource still pending) until all settle, something fails (a
 * deployment rolled back: ok=false at once), or timeoutMs passes (ok=false). A kind all of whose
 * resources were stable at one poll is not read again, so later polls cost only the reads of what
 * is still moving. Handlers never wait; this is the only waiter.
 */
export async function waitForStable(
  ctx: ResourceContext,
  stacks: readonly string[],
  options: WaitOptions,
): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const intervalMs = options.intervalMs ?? 10_000;
  const report = options.onProgress ?? (() => {});
  const started = now();
  let unsettled = [...(options.handlers ?? HANDLERS)];
  let waiting: string[] = [];
  for (;;) {
    try {
      const byKind = await pollStability(ctx, stacks, unsettled);
      const assessment = assessStability([...byKind.values()].flat());
      if (assessment.problems.length > 0) {
        for (const problem of assessment.problems) report(`failed: ${problem}`);
        return { ok: false, problems: assessment.problems };
      }
      waiting = assessment.waiting;
      if (waiting.length === 0) {
        report(`stable after ${seconds(now() - started)}`);
        return { ok: true, problems: [] };
      }
      unsettled = unsettled.filter((handler) =>
        byKind.get(handler.kind)?.some((verdict) => verdict.state !== 'stable'),
      );
    } catch (err) {
      if (!isThrottling(err)) throw err;
      waiting = waiting.length > 0 ? waiting : ['AWS is throttling the status reads'];
    }
    const elapsed = now() - started;
    if (elapsed >= options.timeoutMs) {
      const problem = `timed out after ${seconds(elapsed)} waiting for: ${waiting.join('; ')}`;
      report(problem);
      return { ok: false, problems: [problem] };
    }
    report(`waiting (${seconds(elapsed)}): ${waiting.join('; ')}`);
    await sleep(Math.min(intervalMs, Math.max(0, options.timeoutMs - elapsed)));
  }
}
