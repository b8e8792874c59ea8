/**
 * `reconciler plan`: observe AWS, diff against the specs and print what apply would do.
 * The helpers exported here (loading and selecting stacks, colour, the call table) are shared by
 * `apply` and `destroy`.
 */
import { parseArgs } from 'node:util';
import { CallStats } from '../aws/clients.ts';
import { prepareReconcile } from '../engine/reconcile.ts';
import { renderHuman } from '../plan/render-human.ts';
import { renderJson } from '../plan/render-json.ts';
import { renderMarkdown } from '../plan/render-markdown.ts';
import { hasChangesIn } from '../plan/summary.ts';
import { formatSpecError, loadStacks } from '../spec/load-stacks.ts';
import type { Stack } from '../spec/types.generated.ts';

const HELP = `usage: reconciler plan [paths...] [options]

Observes AWS (one batched, tag-filtered read per resource kind and region), compares it with the
stack specs and prints what \`reconciler apply\` would do. Changes nothing. A path is a spec file
or a folder of *.yaml / *.yml files. Default path: specs/

options:
      --stack NAME            plan only this stack (repeatable)
  -o, --output FORMAT         human (default), json or markdown (a pull-request comment)
      --detailed-exitcode     exit 2 when there are changes (0: none, 1: error)
      --stats                 print the AWS calls made, by service and operation, to stderr
      --no-color              no ANSI colours (also when NO_COLOR is set or stdout is not a terminal)
      --parallelism N         concurrent AWS reads (default 8)
  -h, --help                  show this help

exit status: 0 success (with --detailed-exitcode: no changes), 2 changes (only with
--detailed-exitcode), 1 error (invalid specs are reported as file:line:col and AWS is not touched)`;

/** CommandError is a user-facing failure of a command: printed as `reconciler <cmd>: message`, exit 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

/**
 * loadSelectedStacks loads and validates specs (default `specs/`) and keeps the `--stack` ones.
 * Invalid specs are printed to stderr as `file:line:col: path: message` and reported as undefined.
 */
export async function loadSelectedStacks(
  paths: string[],
  names: string[],
): Promise<Stack[] | undefined> {
  const { stacks, errors } = await loadStacks(paths.length > 0 ? paths : ['specs/']);
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
  if (names.length === 0) return specs;
  const known = new Set(specs.map((spec) => spec.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new CommandError(
      `no stack named ${unknown.join(', ')} (stacks: ${[...known].sort().join(', ')})`,
    );
  }
  return specs.filter((spec) => names.includes(spec.name));
}

/** useColor: ANSI only on a terminal, never with NO_COLOR or --no-color. */
export function useColor(noColorFlag: boolean | undefined): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && !noColorFlag;
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
  const all = [header, ...rows, total];
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column]?.length ?? 0)));
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        column === 3 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return ['AWS calls:', line(header), ...rows.map(line), line(total)].join('\n');
}

/** messageOf is an error's message. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type Output = 'human' | 'json' | 'markdown';

/** run is the `reconciler plan` command; see HELP for the exit codes. */
export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        stack: { type: 'string', multiple: true, default: [] },
        output: { type: 'string', short: 'o', default: 'human' },
        'detailed-exitcode': { type: 'boolean', default: false },
        stats: { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        parallelism: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const output = values.output as Output;
    if (!['human', 'json', 'markdown'].includes(output)) {
      throw new CommandError(`--output must be human, json or markdown, got '${output}'`);
    }
    const parallelism = parallelismOf(values.parallelism);
    const stacks = await loadSelectedStacks(positionals, values.stack ?? []);
    if (!stacks) return 1;
    const stats = new CallStats();
    const prepared = await prepareReconcile({ stacks, mode: 'plan', stats, parallelism });
    prepared.close();
    const { plan } = prepared;
    if (output === 'json') process.stdout.write(renderJson(plan));
    else if (output === 'markdown') process.stdout.write(renderMarkdown(plan));
    else process.stdout.write(renderHuman(plan, { color: useColor(values['no-color']) }));
    if (values.stats) process.stderr.write(`${formatCallStats(stats)}\n`);
    return values['detailed-exitcode'] && hasChangesIn(plan) ? 2 : 0;
  } catch (err) {
    console.error(`reconciler plan: ${messageOf(err)}`);
    return 1;
  }
}
