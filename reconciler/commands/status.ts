/**
 * `reconciler status [--url URL]`: what a running daemon (`reconciler run`) reports at /status,
 * as a table: each stack's conditions, revision, last sync and last error.
 */
import pc from 'picocolors';
// not from plan.ts: status talks to a daemon and loads no AWS SDK
import { alignColumns } from '../lib/columns.ts';
import { useColor } from './color.ts';
import { CommandError, messageOf } from './command-error.ts';

/** StatusOptions are the flags of `reconciler status` (see reconciler/cli.ts). */
export interface StatusOptions {
  url?: string;
  output?: 'human' | 'json';
  color?: boolean;
}

/** DaemonStack is the part of a /status stack entry the table shows. */
export interface DaemonStack {
  name: string;
  revision?: string;
  paused?: boolean;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  lastAppliedRevision?: string;
  lastAppliedAt?: string;
  lastReconcile?: { startedAt: string; durationMs?: number; result?: string };
  lastError?: { message: string; at?: string };
  specErrors?: string[];
}

/** DaemonStatus is the part of /status the command reads. */
export interface DaemonStatus {
  ready?: { ok?: boolean; reason?: string } | boolean;
  replica?: { id?: string; leader?: boolean };
  stacks?: DaemonStack[];
}

const TIMEOUT_MS = 5_000;

/** fetchStatus reads `${url}/status`; its errors say which URL and what to check. */
export async function fetchStatus(url: string): Promise<DaemonStatus> {
  let endpoint: URL;
  try {
    endpoint = new URL('/status', url);
  } catch {
    throw new CommandError(`--url must be a URL such as http://127.0.0.1:9464, got '${url}'`);
  }
  let response: Response;
  try {
    response = await fetch(endpoint, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? messageOf(err);
    throw new CommandError(
      `cannot reach the daemon at ${endpoint.href} (${cause}): is \`reconciler run\` running there? Set --url or RECONCILER_URL to its --listen address`,
    );
  }
  if (!response.ok) {
    throw new CommandError(`${endpoint.href} answered ${response.status}, not a daemon's status`);
  }
  try {
    return (await response.json()) as DaemonStatus;
  } catch {
    throw new CommandError(`${endpoint.href} did not answer JSON: is it a reconciler daemon?`);
  }
}

function shortRevision(revision: string | undefined): string {
  if (!revision) return '-';
  // a git commit, or a spec file's content hash (`sha256:...`): 12 characters tell them apart
  return revision.replace(/^sha256:/, '').slice(0, 12);
}

function conditionsOf(stack: DaemonStack): string {
  const parts = (stack.conditions ?? []).map((condition) => {
    if (condition.status === 'True') return condition.type;
    if (condition.status === 'False') return `not ${condition.type}`;
    return `${condition.type}?`;
  });
  if (stack.paused) parts.push('paused');
  return parts.join(', ') || '-';
}

/** isReady tells whether a stack's Ready condition holds. */
export function isReady(stack: DaemonStack): boolean {
  return (stack.conditions ?? []).some(
    (condition) => condition.type === 'Ready' && condition.status === 'True',
  );
}

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

/** renderStatus is the table: one row per stack (conditions, revision, last sync, last error). */
export function renderStatus(status: DaemonStatus, color = false): string {
  const stacks = status.stacks ?? [];
  if (stacks.length === 0) return 'The daemon reports no stacks (no specs, or not loaded yet).\n';
  const header = ['STACK', 'CONDITIONS', 'REVISION', 'LAST SYNC', 'LAST ERROR'];
  const rows = stacks.map((stack) => [
    stack.name,
    conditionsOf(stack),
    shortRevision(stack.lastAppliedRevision ?? stack.revision),
    stack.lastReconcile
      ? `${stack.lastReconcile.startedAt} (${stack.lastReconcile.result ?? '?'})`
      : 'never',
    stack.lastError
      ? oneLine(stack.lastError.message, 100)
      : stack.specErrors?.length
        ? oneLine(stack.specErrors[0] ?? '', 100)
        : '-',
  ]);
  const [head = '', ...lines] = alignColumns([header, ...rows]);
  const paint = (text: string, index: number) => {
    if (!color) return text;
    const stack = stacks[index];
    return stack && isReady(stack) ? text : pc.yellow(text);
  };
  return `${[head, ...lines.map(paint)].join('\n')}\n`;
}

/** run is the `reconciler status` command: 0 when every stack is ready, 2 when one is not. */
export async function run(_args: string[], values: StatusOptions = {}): Promise<number> {
  try {
    const status = await fetchStatus(values.url ?? 'http://127.0.0.1:9464');
    if (values.output === 'json') process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    else process.stdout.write(renderStatus(status, useColor(values.color)));
    return (status.stacks ?? []).every(isReady) ? 0 : 2;
  } catch (err) {
    console.error(`reconciler status: ${messageOf(err)}`);
    return 1;
  }
}
