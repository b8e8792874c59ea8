/**
 * `reconciler plan`: observe AWS, diff against the specs and print what apply would do.
 * The helpers exported here (loading and selecting stacks, colour, the call table) are shared by
 * `apply` and `destroy`.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CallStats } from '../aws/clients.ts';
import { type PreparedReconcile, prepareReconcile } from '../engine/reconcile.ts';
import { alignColumns } from '../lib/columns.ts';
import { renderHuman } from '../plan/render-human.ts';
import { renderJson } from '../plan/render-json.ts';
import { renderMarkdown } from '../plan/render-markdown.ts';
import {
  fingerprints,
  SAVED_PLAN_KIND,
  SAVED_PLAN_VERSION,
  type SavedPlan,
  specHashes,
} from '../plan/saved.ts';
import { hasChangesIn } from '../plan/summary.ts';
import { formatSpecError, loadStacks } from '../spec/load-stacks.ts';
import type { Stack } from '../spec/types.generated.ts';
import { useColor } from './color.ts';
import { CommandError, messageOf } from './command-error.ts';
import { checkAwsAccess } from './preflight.ts';

// the commands import these from here as well
export { CommandError, messageOf, useColor };

/**
 * loadSelectedStacks loads and validates specs (default `specs/`) and keeps the `--stack` ones,
 * then checks that AWS can be reached (checkAwsAccess). Invalid specs are printed to stderr as
 * `file:line:col: path: message` and reported as undefined.
 */
export async function loadSelectedStacks(
  paths: string[],
  names: string[],
): Promise<Stack[] | undefined> {
  const { stacks, errors } = await loadStacks(specPaths(paths));
  if (errors.length > 0) {
    const files = new Set(errors.map((error) => error.file)).size;
    process.stderr.write(
      `${errors.map(formatSpecError).join('\n')}\n\n${errors.length} error${errors.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}; nothing was sent to AWS\n`,
    );
    return undefined;
  }
  if (stacks.length === 0) {
    throw new CommandError(`no stack specs found in ${paths.join(', ') || 'specs/'}`);
  }
  const specs = stacks.map((loaded) => loaded.spec);
  const known = new Set(specs.map((spec) => spec.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new CommandError(
      `no stack named ${unknown.join(', ')} (stacks: ${[...known].sort().join(', ')})`,
    );
  }
  // every caller talks to AWS next: fail now, naming the fix, rather than after the SDK's retries
  await checkAwsAccess();
  return names.length === 0 ? specs : specs.filter((spec) => names.includes(spec.name));
}

/** parallelismOf reads `--parallelism` (a positive integer). */
export function parallelismOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new CommandError(`--parallelism must be a positive integer, got '${value}'`);
  }
  return parsed;
}

/** formatCallStats is the `--stats` table: AWS calls by service, operation and outcome, with a total. */
export function formatCallStats(stats: CallStats): string {
  const rows = stats
    .entries()
    .map((entry) => [entry.service, entry.operation, entry.outcome, String(entry.count)]);
  const header = ['service', 'operation', 'outcome', 'calls'];
  const total = ['total', '', '', String(stats.total())];
  const [head = '', ...lines] = alignColumns([header, ...rows, total], new Set([3]));
  return ['AWS calls:', head, ...lines].join('\n');
}

/** PlanOptions are the flags of `reconciler plan` (see reconciler/cli.ts). */
export interface PlanOptions {
  stack?: string[];
  output?: 'human' | 'json' | 'markdown';
  out?: string;
  detailedExitcode?: boolean;
  stats?: boolean;
  color?: boolean;
  parallelism?: string;
}

/** specPaths are the paths a command reads: the given ones, or `specs/`. */
export function specPaths(paths: readonly string[]): string[] {
  return paths.length > 0 ? [...paths] : ['specs/'];
}

/** savedPlanOf is what `plan --out` writes: the plan and what it was computed from. */
export function savedPlanOf(
  prepared: PreparedReconcile,
  stacks: readonly Stack[],
  paths: readonly string[],
  names: readonly string[],
): SavedPlan {
  return {
    kind: SAVED_PLAN_KIND,
    version: SAVED_PLAN_VERSION,
    createdAt: new Date().toISOString(),
    paths: specPaths(paths).map((path) => resolve(path)),
    stacks: [...names],
    specs: specHashes(stacks),
    observed: fingerprints(prepared.observed),
    plan: prepared.plan,
  };
}

/** run is the `reconciler plan` command; see its help for the exit codes. */
export async function run(positionals: string[], values: PlanOptions = {}): Promise<number> {
  try {
    const output = values.output ?? 'human';
    const parallelism = parallelismOf(values.parallelism);
    const names = values.stack ?? [];
    const stacks = await loadSelectedStacks(positionals, names);
    if (!stacks) return 1;
    const stats = new CallStats();
    const prepared = await prepareReconcile({ stacks, mode: 'plan', stats, parallelism });
    prepared.close();
    const { plan } = prepared;
    if (output === 'json') process.stdout.write(renderJson(plan));
    else if (output === 'markdown') process.stdout.write(renderMarkdown(plan));
    else process.stdout.write(renderHuman(plan, { color: useColor(values.color) }));
    if (values.out) {
      const saved = savedPlanOf(prepared, stacks, positionals, names);
      await writeFile(values.out, `${JSON.stringify(saved, null, 2)}\n`);
      const note = `\nSaved the plan to ${values.out}. To carry out exactly this plan, run: reconciler apply ${values.out}\n`;
      if (output === 'human') process.stdout.write(note);
      else process.stderr.write(note);
    }
    if (values.stats) process.stderr.write(`${formatCallStats(stats)}\n`);
    return values.detailedExitcode && hasChangesIn(plan) ? 2 : 0;
  } catch (err) {
    console.error(`reconciler plan: ${messageOf(err)}`);
    return 1;
  }
}
