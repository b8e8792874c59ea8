/**
 * `reconciler apply`: plan, show, confirm, then carry out exactly that plan. Shared with
 * `reconciler destroy`, which plans the deletion of everything the stacks own.
 */
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { type AwsClients, CallStats, createClients } from '../aws/clients.ts';
import { parseDuration } from '../daemon/options.ts';
import { renderOutputs } from '../engine/outputs.ts';
import { formatProgress } from '../engine/progress.ts';
import { prepareReconcile, type ReconcileResult, silentLogger } from '../engine/reconcile.ts';
import { type AppliedState, waitForRollout } from '../engine/rollout.ts';
import { type WaitResult, waitForStable } from '../engine/wait.ts';
import { renderHuman } from '../plan/render-human.ts';
import {
  fingerprints,
  parseSavedPlan,
  SAVED_PLAN_KIND,
  type SavedPlan,
  specHashes,
  staleReason,
} from '../plan/saved.ts';
import { hasChangesIn } from '../plan/summary.ts';
import type { Stack } from '../spec/types.generated.ts';
import { outputViews } from './output.ts';
import {
  CommandError,
  formatCallStats,
  loadSelectedStacks,
  messageOf,
  parallelismOf,
  useColor,
} from './plan.ts';

type Mode = 'apply' | 'destroy';

const PROMPTS: Record<Mode, string> = {
  apply: "Do you want to perform these actions? Only 'yes' will be accepted:",
  destroy:
    "Do you really want to destroy all resources of these stacks? Only 'yes' will be accepted:",
};

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  const cancel = new AbortController();
  prompt.on('SIGINT', () => cancel.abort());
  try {
    const answer = await prompt.question(`\n${question} `, { signal: cancel.signal });
    return answer.trim() === 'yes';
  } catch {
    return false;
  } finally {
    prompt.close();
  }
}

/**
 * durationOption reads a duration flag in milliseconds, written as the daemon's flags are:
 * a number of seconds (`900`), or with units (`90s`, `15m`, `1h`, `1m30s`, `500ms`).
 */
export function durationOption(
  name: string,
  value: string | undefined,
  fallbackMs: number,
): number {
  if (value === undefined) return fallbackMs;
  let parsed = Number.NaN;
  try {
    parsed = parseDuration(value, `--${name}`);
  } catch {
    // reported below, with the examples
  }
  if (!(parsed > 0)) {
    throw new CommandError(
      `--${name} must be a positive duration such as 900, 90s, 15m or 1h, got '${value}'`,
    );
  }
  return parsed;
}

function completion(mode: Mode, result: ReconcileResult): string {
  let added = 0;
  let changed = 0;
  let destroyed = 0;
  for (const entry of result.applied) {
    if (entry.action === 'create' || entry.action === 'replace') added += 1;
    if (entry.action === 'update') changed += 1;
    if (entry.action === 'delete' || entry.action === 'replace') destroyed += 1;
  }
  const verb = mode === 'apply' ? 'Apply' : 'Destroy';
  const failed = result.failures.length > 0;
  const head = failed ? `${verb} failed.` : `${verb} complete!`;
  return mode === 'apply'
    ? `${head} Resources: ${added} added, ${changed} changed, ${destroyed} destroyed.`
    : `${head} Resources: ${destroyed} destroyed.`;
}

function reportProblems(result: ReconcileResult): void {
  for (const failure of result.failures) {
    process.stderr.write(`error: ${failure.address} (${failure.action}): ${failure.error}\n`);
  }
  if (result.skipped.length > 0) {
    process.stderr.write(
      `skipped because something they depend on failed: ${result.skipped.join(', ')}\n`,
    );
  }
  if (result.failures.length > 0) {
    process.stderr.write('Fix the cause and run the command again: it resumes where it stopped.\n');
  }
}

/** DEFAULT_WAIT_TIMEOUT_MS bounds `apply --wait` when no --wait-timeout is given: 15 minutes. */
export const DEFAULT_WAIT_TIMEOUT_MS = 15 * 60_000;

interface WaitFlags {
  timeoutMs: number;
  intervalMs: number;
  parallelism?: number;
  stats: CallStats;
  withStack: boolean;
}

/**
 * waitForStacks is `apply --wait` on AWS: waitForRollout (pending resources, then what waited for
 * them, then waitForStable per region). Problems go to stderr; the result says whether everything
 * settled.
 */
async function waitForStacks(
  stacks: Stack[],
  applied: AppliedState,
  flags: WaitFlags,
): Promise<boolean> {
  const regions = new Map<string, string[]>();
  for (const stack of stacks) {
    regions.set(stack.region, [...(regions.get(stack.region) ?? []), stack.name]);
  }
  const clients: AwsClients[] = [];
  const waitStable = async (timeoutMs: number): Promise<WaitResult> => {
    const results = await Promise.all(
      [...regions].map(([region, names]) => {
        const regionClients = createClients({ region, stats: flags.stats });
        clients.push(regionClients);
        const prefix = regions.size > 1 ? `${region}: ` : '';
        return waitForStable(
          { clients: regionClients, region, stacks: names, log: silentLogger },
          names,
          {
            timeoutMs,
            intervalMs: flags.intervalMs,
            onProgress: (line) => console.log(`${prefix}${line}`),
          },
        );
      }),
    );
    const problems = results.flatMap((result) => result.problems);
    return { ok: problems.length === 0, problems };
  };
  try {
    const outcome = await waitForRollout(applied, flags, {
      prepare: (mode) =>
        prepareReconcile({
          stacks,
          mode,
          stats: flags.stats,
          parallelism: flags.parallelism,
          onProgress: (event) => console.log(formatProgress(event, { withStack: flags.withStack })),
        }),
      waitStable,
      print: (line) => console.log(line),
      onApplied: reportProblems,
    });
    if (outcome.ok) return true;
    process.stderr.write(
      `apply --wait: the stacks did not become stable:\n${outcome.problems.map((problem) => `  - ${problem}`).join('\n')}\n`,
    );
    return false;
  } finally {
    for (const regionClients of clients) regionClients.destroy();
  }
}

/** ChangeOptions are the flags of `reconciler apply` and `reconciler destroy` (see reconciler/cli.ts). */
export interface ChangeOptions {
  stack?: string[];
  autoApprove?: boolean;
  parallelism?: string;
  stats?: boolean;
  color?: boolean;
  allowReplace?: string[];
  wait?: boolean;
  waitTimeout?: string;
  waitInterval?: string;
}

/** savedPlanAt reads `path` when it is a saved plan (`plan --out`), else undefined (a spec path). */
async function savedPlanAt(path: string): Promise<SavedPlan | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  const text = await readFile(path, 'utf8');
  if (!text.includes(SAVED_PLAN_KIND)) return undefined;
  return parseSavedPlan(text, path);
}

/** runChange is `reconciler apply` and `reconciler destroy`: plan, show, confirm, apply. */
export async function runChange(
  mode: Mode,
  positionals: string[],
  values: ChangeOptions = {},
): Promise<number> {
  try {
    const parallelism = parallelismOf(values.parallelism);
    const waitTimeoutMs = durationOption(
      'wait-timeout',
      values.waitTimeout,
      DEFAULT_WAIT_TIMEOUT_MS,
    );
    const waitIntervalMs = durationOption('wait-interval', values.waitInterval, 10_000);
    const saved =
      mode === 'apply' && positionals.length === 1
        ? await savedPlanAt(positionals[0] ?? '')
        : undefined;
    if (saved && (values.stack?.length ?? 0) > 0) {
      throw new CommandError('a saved plan applies the stacks it was made for: drop --stack');
    }
    const stacks = saved
      ? await loadSelectedStacks(saved.paths, saved.stacks)
      : await loadSelectedStacks(positionals, values.stack ?? []);
    if (!stacks) return 1;
    const stats = new CallStats();
    const withStack = stacks.length > 1;
    const interrupt = new AbortController();
    const onInterrupt = () => {
      if (interrupt.signal.aborted) process.exit(130);
      interrupt.abort();
      process.stderr.write(
        '\nInterrupt received: no new operation starts, running ones finish. Press Ctrl-C again to quit now.\n',
      );
    };
    const prepared = await prepareReconcile({
      signal: interrupt.signal,
      stacks,
      mode,
      stats,
      parallelism,
      allowReplace: values.allowReplace ?? [],
      onProgress: (event) => console.log(formatProgress(event, { withStack })),
    });
    const printStats = () => {
      if (values.stats) process.stderr.write(`${formatCallStats(stats)}\n`);
    };
    process.on('SIGINT', onInterrupt);
    try {
      if (saved) {
        const stale = staleReason(saved, {
          specs: specHashes(stacks),
          observed: fingerprints(prepared.observed),
          plan: prepared.plan,
        });
        if (stale) {
          throw new CommandError(
            `the saved plan ${positionals[0]} is stale: ${stale}; nothing was changed. Plan again: reconciler plan --out ${positionals[0]}`,
          );
        }
      }
      process.stdout.write(renderHuman(prepared.plan, { color: useColor(values.color) }));
      let result: ReconcileResult | undefined;
      if (!hasChangesIn(prepared.plan)) {
        console.log(mode === 'apply' ? '\nNothing to do.' : '\nNothing to destroy.');
      } else {
        // a saved plan was reviewed when it was made
        if (!values.autoApprove && !saved) {
          if (!process.stdin.isTTY) {
            throw new CommandError(
              `${mode} needs confirmation: run it in a terminal, or pass --auto-approve`,
            );
          }
          if (!(await confirm(PROMPTS[mode]))) {
            console.log(`\n${mode === 'apply' ? 'Apply' : 'Destroy'} cancelled.`);
            return 1;
          }
        }
        console.log('');
        result = await prepared.apply();
        console.log(`\n${completion(mode, result)}`);
        reportProblems(result);
      }
      const pending = result?.pending ?? prepared.pending;
      const failed = (result?.failures.length ?? 0) > 0;
      let waited = true;
      if (mode === 'apply' && values.wait && !failed) {
        waited = await waitForStacks(
          stacks,
          { pending, waiting: result?.waiting ?? [] },
          {
            withStack,
            timeoutMs: waitTimeoutMs,
            intervalMs: waitIntervalMs,
            parallelism,
            stats,
          },
        );
      } else if (mode === 'apply' && pending.length > 0) {
        const why = new Map((result?.waiting ?? []).map((entry) => [entry.address, entry.reason]));
        const listed = pending.map((address) =>
          why.has(address) ? `${address} (${why.get(address)})` : address,
        );
        console.log(
          `Still pending in AWS: ${listed.join(', ')} (apply --wait waits; the daemon requeues)`,
        );
      }
      if (mode === 'apply' && (result?.observed ?? prepared.observed).length > 0) {
        console.log(
          `\n${renderOutputs(outputViews(stacks, result?.observed ?? prepared.observed)).trimEnd()}`,
        );
      }
      printStats();
      return failed || !waited ? 1 : 0;
    } finally {
      process.off('SIGINT', onInterrupt);
      prepared.close();
    }
  } catch (err) {
    console.error(`reconciler ${mode}: ${messageOf(err)}`);
    return 1;
  }
}

/** run is the `reconciler apply` command. */
export function run(positionals: string[], values: ChangeOptions = {}): Promise<number> {
  return runChange('apply', positionals, values);
}
