/**
 * The daemon's progress for `npm start`, read from its pino log lines (never from its code):
 * one line per resource as it is created, modified or destroyed, with its elapsed time; one
 * line per reconcile that changed something, saying why it ran (spec added, spec changed,
 * drift corrected) and what changed (`ecs-service.api desiredCount 2 -> 3`); and, for long
 * waits, what is waited for and for how long (`still creating... [10s elapsed]`).
 */
import {
  formatElapsed,
  formatProgress,
  type ProgressEvent,
} from '../../reconciler/engine/progress.ts';

/** LogRecord is one parsed pino line: msg, time, and whatever fields the daemon logged. */
type LogRecord = Record<string, unknown> & { msg: string; stack?: string };

/** AppliedChange is one `<address> created|updated|deleted|replaced` summary line of a reconcile. */
interface AppliedChange {
  address: string;
  event: string;
  fields: Array<{ path: string; before: unknown; after: unknown }>;
}

/** Run is what is known of a stack's reconcile in progress. */
interface Run {
  why: string;
  startedAt: number;
  applied: AppliedChange[];
  failed: number;
}

interface InFlight {
  stack: string;
  address: string;
  step: ProgressEvent['step'];
  startedAt: number;
  reportedAt: number;
}

interface Waiting {
  pending: string[];
  since: number;
  reportedAt: number;
}

const PROGRESS_TYPES = new Set(['start', 'finish', 'fail', 'skip']);
const APPLIED_EVENTS = new Set(['create', 'update', 'delete', 'replace']);
const STILL: Record<ProgressEvent['step'], string> = {
  create: 'creating',
  update: 'modifying',
  delete: 'destroying',
  untag: 'untagging',
};
/** MAX_FIELDS is how many changed fields a summary names before `and N more`. */
const MAX_FIELDS = 4;

function parse(line: string): LogRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const record = parsed as Record<string, unknown>;
    return typeof record.msg === 'string' ? (record as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}

function isProgressEvent(record: LogRecord): record is LogRecord & ProgressEvent {
  return (
    typeof record.type === 'string' &&
    PROGRESS_TYPES.has(record.type) &&
    typeof record.address === 'string' &&
    typeof record.step === 'string' &&
    record.step in STILL &&
    typeof record.stack === 'string'
  );
}

function fieldsOf(value: unknown): AppliedChange['fields'] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) =>
    typeof item === 'object' && item !== null && typeof item.path === 'string'
      ? [{ path: item.path as string, before: item.before, after: item.after }]
      : [],
  );
}

/** showValue renders a field value short: `3`, `"nginx:1.27"`, `(known after apply)`, `{...}`. */
export function showValue(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  if (typeof value === 'object' && (value as Record<string, unknown>).$unknown === true) {
    return '(known after apply)';
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** describeChange renders one applied update: `ecs-service.api desiredCount 2 -> 3, cpu 256 -> 512`. */
export function describeChange(change: AppliedChange): string {
  const shown = change.fields
    .filter((field) => !field.path.startsWith('tags.reconciler:'))
    .map((field) => `${field.path} ${showValue(field.before)} -> ${showValue(field.after)}`);
  if (shown.length === 0) return `${change.address} ${change.event}d`;
  const more = shown.length > MAX_FIELDS ? `, and ${shown.length - MAX_FIELDS} more` : '';
  const verb = change.event === 'replace' ? ' (replaced)' : '';
  return `${change.address}${verb} ${shown.slice(0, MAX_FIELDS).join(', ')}${more}`;
}

/** describeApplied sums a reconcile's changes: updates by field, creates and deletes by count. */
export function describeApplied(applied: readonly AppliedChange[]): string {
  const parts = applied
    .filter((change) => change.event === 'update' || change.event === 'replace')
    .map(describeChange);
  const created = applied.filter((change) => change.event === 'create').length;
  const deleted = applied.filter((change) => change.event === 'delete').length;
  if (created > 0) parts.push(`${created} created`);
  if (deleted > 0) parts.push(`${deleted} deleted`);
  return parts.length > 0 ? parts.join('; ') : 'no changes';
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

function timeOf(record: LogRecord, fallback: number): number {
  const parsed = typeof record.time === 'string' ? Date.parse(record.time) : Number(record.time);
  return Number.isFinite(parsed) ? parsed : fallback;
}

function errorMessage(record: LogRecord): string {
  const err = record.err;
  if (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { message?: unknown }).message === 'string'
  ) {
    return (err as { message: string }).message;
  }
  return record.msg;
}

/**
 * DaemonProgress turns the daemon's log lines into the lines `npm start` prints. `line()` takes
 * each log line as it is written; `tick()`, called every second or so, reports operations and
 * pending resources that take long, every `stillEveryMs` (10 s by default).
 */
export class DaemonProgress {
  readonly #stillEveryMs: number;
  readonly #nextWhy = new Map<string, string>();
  readonly #runs = new Map<string, Run>();
  readonly #inFlight = new Map<string, InFlight>();
  readonly #waiting = new Map<string, Waiting>();

  constructor(options: { stillEveryMs?: number } = {}) {
    this.#stillEveryMs = options.stillEveryMs ?? 10_000;
  }

  /** line returns what to print for one daemon log line (often nothing). */
  line(raw: string, now: number = Date.now()): string[] {
    const record = parse(raw);
    if (!record) return [];
    if (isProgressEvent(record)) return this.#progress(record, now);
    const stack = typeof record.stack === 'string' ? record.stack : undefined;
    if (!stack) return [];
    const at = timeOf(record, now);
    switch (record.msg) {
      case 'spec added':
      case 'spec changed':
        if (record.valid !== false) this.#nextWhy.set(stack, record.msg);
        return [];
      case 'reconcile started':
        return this.#started(stack, record, at);
      case 'reconciled':
      case 'reconciled; waiting for pending resources':
        return this.#reconciled(stack, record, at, now);
      case 'reconcile failed':
      case 'reconcile failed: not retried before the next resync':
        return this.#failed(stack, record, at);
      case 'drift detected; correcting': {
        const run = this.#runs.get(stack);
        if (run) run.why = 'drift corrected';
        return [];
      }
      case 'drift detected (not corrected: plan only)':
        return [`${stack}: drift detected, not corrected (plan only): ${this.#drift(record)}`];
      default:
        if (typeof record.address === 'string' && APPLIED_EVENTS.has(String(record.event))) {
          this.#runs.get(stack)?.applied.push({
            address: record.address,
            event: String(record.event),
            fields: fieldsOf(record.changes),
          });
        }
        return [];
    }
  }

  /** tick returns a `still ...` line for each operation or wait that passed another interval. */
  tick(now: number = Date.now()): string[] {
    const lines: string[] = [];
    for (const op of this.#inFlight.values()) {
      if (now - op.reportedAt < this.#stillEveryMs) continue;
      op.reportedAt = now;
      lines.push(
        `${op.stack}/${op.address}: still ${STILL[op.step]}... [${formatElapsed(now - op.startedAt)} elapsed]`,
      );
    }
    for (const [stack, waiting] of this.#waiting) {
      if (now - waiting.reportedAt < this.#stillEveryMs) continue;
      waiting.reportedAt = now;
      lines.push(
        `${stack}: still waiting for ${waiting.pending.join(', ')} (pending in AWS) [${formatElapsed(now - waiting.since)} elapsed]`,
      );
    }
    return lines;
  }

  #progress(event: LogRecord & ProgressEvent, now: number): string[] {
    const key = `${event.stack}/${event.address}/${event.step}`;
    if (event.type === 'start') {
      this.#inFlight.set(key, {
        stack: event.stack,
        address: event.address,
        step: event.step,
        startedAt: now,
        reportedAt: now,
      });
      return [];
    }
    this.#inFlight.delete(key);
    if (event.type === 'fail') {
      const run = this.#runs.get(event.stack);
      if (run) run.failed++;
    }
    return [formatProgress(event, { withStack: true })];
  }

  #started(stack: string, record: LogRecord, at: number): string[] {
    const why = this.#nextWhy.get(stack) ?? (this.#waiting.has(stack) ? 'follow-up' : 'resync');
    this.#nextWhy.delete(stack);
    this.#runs.set(stack, { why, startedAt: at, applied: [], failed: 0 });
    if (why !== 'spec added' && why !== 'spec changed') return [];
    const revision = typeof record.revision === 'string' ? ` revision ${record.revision}` : '';
    const planOnly = record.mode === 'plan' ? ', plan only (paused or --observe-only)' : '';
    return [`${stack}: ${why}, reconciling${revision}${planOnly}`];
  }

  #reconciled(stack: string, record: LogRecord, at: number, now: number): string[] {
    const run = this.#runs.get(stack);
    this.#runs.delete(stack);
    const pending = Array.isArray(record.pending)
      ? record.pending.filter((item): item is string => typeof item === 'string')
      : [];
    const previous = this.#waiting.get(stack);
    if (pending.length > 0) {
      const same = previous && previous.pending.join() === pending.join();
      this.#waiting.set(stack, {
        pending,
        since: same ? previous.since : now,
        reportedAt: same ? previous.reportedAt : now,
      });
    } else {
      this.#waiting.delete(stack);
    }
    if (!run) return [];
    const quiet = run.applied.length === 0 && (run.why === 'resync' || run.why === 'follow-up');
    if (quiet) return [];
    const waitingFor =
      pending.length > 0 ? `; waiting for ${pending.join(', ')} (pending in AWS)` : '';
    return [
      `${stack}: ${run.why}: ${describeApplied(run.applied)} ... done in ${seconds(at - run.startedAt)}${waitingFor}`,
    ];
  }

  #failed(stack: string, record: LogRecord, at: number): string[] {
    const run = this.#runs.get(stack);
    this.#runs.delete(stack);
    const took = run ? ` after ${seconds(at - run.startedAt)}` : '';
    const done = run && run.applied.length > 0 ? ` (${describeApplied(run.applied)})` : '';
    return [`${stack}: ${run?.why ?? 'reconcile'}: failed${took}${done}: ${errorMessage(record)}`];
  }

  #drift(record: LogRecord): string {
    const drift = Array.isArray(record.drift) ? record.drift : [];
    const changes = drift.flatMap((item): AppliedChange[] =>
      typeof item === 'object' && item !== null && typeof item.address === 'string'
        ? [
            {
              address: item.address as string,
              event: String(item.action ?? 'update'),
              fields: fieldsOf(item.fields),
            },
          ]
        : [],
    );
    return changes.length > 0
      ? changes.map(describeChange).join('; ')
      : 'changes outside the reconciler';
  }
}
