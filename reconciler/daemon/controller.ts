import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { AwsClients, CallStats, RequestLimiter } from '../aws/clients.ts';
import type { ResourceOutputs } from '../engine/outputs.ts';
import type { ReconcileOptions, ReconcileResult } from '../engine/reconcile.ts';
import type { PlanSummary } from '../plan/types.ts';
import type { Logger } from '../resources/types.ts';
import { formatSpecError, loadStackSource, type SpecError } from '../spec/load-stacks.ts';
import type { Stack } from '../spec/types.generated.ts';
import { type BackoffOptions, withJitter } from './backoff.ts';
import { stackResult } from './batch.ts';
import type { Clock, TimerHandle } from './clock.ts';
import {
  available,
  type Condition,
  type ConditionInput,
  driftDetected,
  inconsistentResult,
  initialConditions,
  invalidSpec,
  noDrift,
  notConverged,
  observeOnly,
  paused,
  pending,
  reconcileError,
  reconcileSuccess,
  setCondition,
} from './conditions.ts';
import { appendHistory, type HistoryEntry, historyEntry } from './history.ts';
import { LeaseLostError } from './lease.ts';
import type { DaemonMetrics, ReconcileOutcome } from './metrics.ts';
import { TerminalError, WorkQueue, type WorkResult } from './queue.ts';
import {
  allTerminal,
  isTerminalFailure,
  outstandingChanges,
  redactFields,
  resourceCounts,
} from './report.ts';
import type { SpecSnapshot } from './sources.ts';
import {
  allOutputs,
  type CurrentPlan,
  currentPlan,
  type DriftItem,
  driftItems,
  type LastChange,
  type ResourceView,
  resourceViews,
  type StackOutputs,
  stackDependencies,
} from './stack-view.ts';

/** ReconcileFn is the engine entry point; tests inject a fake. */
export type ReconcileFn = (options: ReconcileOptions) => Promise<ReconcileResult>;

/** ControllerOptions configures a Controller. */
export interface ControllerOptions {
  clock: Clock;
  log: Logger;
  metrics: DaemonMetrics;
  reconcile: ReconcileFn;
  clientsFor?: (region: string) => AwsClients;
  stats?: CallStats;
  limiter?: RequestLimiter;
  /** How many stacks reconcile at once. */
  concurrency: number;
  /** Drift detection: each stack is reconciled again this long after its last run (with jitter). */
  resyncMs: number;
  /** How soon a stack with pending resources (a NAT gateway being created) runs again. */
  pendingRequeueMs: number;
  /** Plan and report only, for every stack. */
  observeOnly: boolean;
  backoff?: BackoffOptions;
  /** Spread of the resync interval, as a fraction (default 0.1: ±10 %). */
  jitter?: number;
  /**
   * Resync the stacks in sync together: when their resync is due, one plan observes all of them
   * (the calls of one batched plan, not one observation per stack), each stack's part of it is
   * recorded as its run, and only a stack that drifted is reconciled on its own.
   */
  resyncTogether?: boolean;
  random?: () => number;
  /** Passed to the engine: concurrent AWS operations within one stack. */
  parallelism?: number;
  /** fence is the lease check before each AWS-changing operation of a stack (throws LeaseLostError). */
  fence?: (stack: string) => Promise<void>;
  /**
   * shared: replicas share the stacks, each reconciling only those it holds a lease for
   * (setOwned); without it a replica reconciles every stack while it leads.
   */
  shared?: boolean;
  /** leader says whether this replica may reconcile at start (true without a lease). */
  leader: boolean;
  /** tickMs is the liveness heartbeat period behind /healthz. */
  tickMs?: number;
}

/** LastReconcile describes the most recent run of a stack. */
export interface LastReconcile {
  id: string;
  startedAt: string;
  durationMs: number;
  result: ReconcileOutcome;
}

/** StackStatus is what /status reports for one stack. */
export interface StackStatus {
  name: string;
  file: string;
  region: string | undefined;
  /** revision is the desired revision: the git commit, or the spec file's content hash. */
  revision: string;
  paused: boolean;
  conditions: Condition[];
  /** lastAppliedRevision is the revision the stack last fully converged from. */
  lastAppliedRevision: string | undefined;
  lastAppliedAt: string | undefined;
  lastPlanSummary: PlanSummary | undefined;
  lastError:
    | {
        message: string;
        at: string;
        terminal: boolean;
        /** The typed failures behind it: which resource, which operation, which AWS code. */
        failures?: Array<{
          address: string;
          kind: string;
          operation: string;
          code?: string;
          disposition: string;
        }>;
      }
    | undefined;
  specErrors: string[];
  pending: string[];
  consecutiveFailures: number;
  lastReconcile: LastReconcile | undefined;
  nextRunAt: string | undefined;
  /** resources are the stack's resources after its last run that observed AWS, in dependency order. */
  resources: ResourceView[];
  /** observedAt is when those resources were observed. */
  observedAt: string | undefined;
  /**
   * outputs are the load balancer URL and database endpoint, once AWS reports them, and each
   * resource's outputs by address (`reconciler output` prints the same).
   */
  outputs: StackOutputs & { resources?: ResourceOutputs };
  /** drift lists what the last run found changed out of band; empty when it found none. */
  drift: DriftItem[];
  /** plan is the plan still to carry out (paused, observe-only, failed); absent when in sync. */
  plan: CurrentPlan | undefined;
  /** history lists recent runs, newest first (HISTORY_LIMIT at most). */
  history: HistoryEntry[];
}

interface StackEntry {
  key: string;
  file: string;
  hash: string;
  revision: string;
  spec: Stack | undefined;
  errors: SpecError[];
  status: Omit<StackStatus, 'nextRunAt' | 'consecutiveFailures'>;
  /** convergedHash is the spec hash live resources last matched: later changes at that hash are drift. */
  convergedHash: string | undefined;
  /** dependencies maps each desired address of the spec to what it depends on (the page's tree). */
  dependencies: Map<string, string[]>;
  /** lastChanges holds each address's last create, update, replace or delete by this daemon. */
  lastChanges: Map<string, LastChange>;
}

interface ParsedFile {
  key: string;
  file: string;
  hash: string;
  spec: Stack | undefined;
  errors: SpecError[];
  name: string | undefined;
}

const STACK_NAME = /^[a-z][a-z0-9-]*$/;

function rawStackName(source: string): string | undefined {
  try {
    const value: unknown = parseYaml(source);
    const name =
      typeof value === 'object' && value !== null ? (value as { name?: unknown }).name : undefined;
    return typeof name === 'string' && STACK_NAME.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** parseSnapshot validates every file and assigns keys: the stack name, or `file:<path>` when unknown or taken. */
export function parseSnapshot(snapshot: SpecSnapshot): ParsedFile[] {
  const parsed: ParsedFile[] = [];
  const fileByName = new Map<string, string>();
  for (const { file, source, hash } of snapshot.files) {
    const { stack, errors } = loadStackSource(file, source);
    const name = stack?.spec.name ?? rawStackName(source);
    const first = name === undefined ? undefined : fileByName.get(name);
    if (name !== undefined && first !== undefined) {
      const duplicate: SpecError = {
        file,
        line: 1,
        column: 1,
        path: 'spec.name',
        message: `stack name '${name}' is already used by ${first}; stack names must be unique`,
      };
      parsed.push({ key: `file:${file}`, file, hash, spec: undefined, errors: [duplicate], name });
      continue;
    }
    if (name !== undefined) fileByName.set(name, file);
    parsed.push({
      key: name ?? `file:${file}`,
      file,
      hash,
      spec: errors.length === 0 ? stack?.spec : undefined,
      errors: stack && errors.length === 0 ? [] : errors,
      name,
    });
  }
  return parsed;
}

function reconcileId(): string {
  return randomBytes(6).toString('hex');
}

/**
 * Controller is the daemon's level-triggered loop. Each stack is a key on a WorkQueue; a run
 * re-reads AWS (the engine observes everything afresh), so the trigger does not matter: a new
 * spec, the resync timer (drift), or a requeue after pending resources. Each run ends in
 * exactly one of: success with a requeue time, an error retried with per-key backoff, or a
 * terminal error that waits for the spec to change (invalid spec) or the next resync (access
 * denied, validation). Every failure is logged, recorded in status and counted, in that order.
 */
export class Controller {
  readonly #options: ControllerOptions;
  readonly #queue: WorkQueue;
  readonly #entries = new Map<string, StackEntry>();
  readonly #checks = new Map<string, { ok: boolean; message: string }>();
  #leader: boolean;
  /** owned are the stacks this replica holds a lease for (shared mode only). */
  #owned: Set<string> | undefined;
  #abort = new AbortController();
  #specsLoaded = false;
  #lastTick: number;
  #tick: TimerHandle | undefined;
  #stopping = false;
  readonly #listeners = new Set<() => void>();
  /** Stacks in sync waiting for the next resync round (resyncTogether), and that round's timer. */
  readonly #resyncDue = new Set<string>();
  #round: { at: number; handle: TimerHandle } | undefined;

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.#leader = options.leader;
    this.#owned = options.shared ? new Set() : undefined;
    this.#lastTick = options.clock.now();
    this.#queue = new WorkQueue({
      concurrency: options.concurrency,
      clock: options.clock,
      backoff: options.backoff,
      worker: (key) => this.#reconcileKey(key),
      onError: (key, err, retryInMs) => {
        if (err instanceof TerminalError) return;
        options.log.warn(
          { stack: key, err, retryInMs, failures: this.#queue.failures(key) },
          'reconcile failed; retrying with backoff',
        );
      },
    });
    options.metrics.leaseHolder.set(this.#leader ? 1 : 0);
    this.#checks.set('specs', { ok: false, message: 'specs not read yet' });
  }

  /** start begins the liveness heartbeat. Work starts with the first setSpecs. */
  start(): void {
    const beat = (): void => {
      this.#lastTick = this.#options.clock.now();
      this.#options.metrics.queueDepth.set(this.#queue.depth());
      if (!this.#stopping) this.#tick = this.#options.clock.setTimer(beat, this.#tickMs());
    };
    beat();
  }

  #tickMs(): number {
    return this.#options.tickMs ?? 5_000;
  }

  /** setSpecs takes a new snapshot of the specs and queues the stacks whose spec changed. */
  setSpecs(snapshot: SpecSnapshot): void {
    const parsed = parseSnapshot(snapshot);
    const seen = new Set<string>();
    const now = new Date(this.#options.clock.now());
    for (const file of parsed) {
      seen.add(file.key);
      const revision = snapshot.revision ?? file.hash;
      const existing = this.#entries.get(file.key);
      if (existing && existing.hash === file.hash && existing.file === file.file) {
        existing.revision = revision;
        existing.status.revision = revision;
        continue;
      }
      const entry: StackEntry = existing ?? {
        key: file.key,
        file: file.file,
        hash: file.hash,
        revision,
        spec: undefined,
        errors: [],
        convergedHash: undefined,
        dependencies: new Map(),
        lastChanges: new Map(),
        status: {
          name: file.name ?? file.key,
          file: file.file,
          region: undefined,
          revision,
          paused: false,
          conditions: initialConditions(now),
          lastAppliedRevision: undefined,
          lastAppliedAt: undefined,
          lastPlanSummary: undefined,
          lastError: undefined,
          specErrors: [],
          pending: [],
          lastReconcile: undefined,
          resources: [],
          observedAt: undefined,
          outputs: {},
          drift: [],
          plan: undefined,
          history: [],
        },
      };
      Object.assign(entry, {
        file: file.file,
        hash: file.hash,
        revision,
        spec: file.spec,
        errors: file.errors,
        dependencies: file.spec ? stackDependencies(file.spec) : new Map(),
      });
      Object.assign(entry.status, {
        file: file.file,
        revision,
        region: file.spec?.region ?? entry.status.region,
        paused: file.spec?.paused === true,
        specErrors: file.errors.map(formatSpecError),
      });
      this.#entries.set(file.key, entry);
      this.#options.log.info(
        { stack: file.key, file: file.file, revision, valid: file.errors.length === 0 },
        existing ? 'spec changed' : 'spec added',
      );
      if (this.#mayRun(file.key) || file.errors.length > 0) this.#queue.add(file.key);
    }
    for (const key of [...this.#entries.keys()]) {
      if (seen.has(key)) continue;
      this.#entries.delete(key);
      this.#queue.remove(key);
      this.#options.metrics.setStackResources(key, undefined);
      this.#options.log.warn(
        { stack: key },
        'spec removed: the stack is no longer reconciled; its resources are left as they are',
      );
    }
    this.#specsLoaded = true;
    this.#checks.set('specs', {
      ok: true,
      message: `${parsed.length} spec files, ${parsed.filter((f) => f.errors.length > 0).length} invalid`,
    });
    this.#changed();
  }

  /**
   * subscribe calls listener after every change of the stacks' status (a run ended, specs or
   * leadership changed); it returns the unsubscribe function. Listeners must not throw.
   */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /** setLeader starts (all stacks queued) or stops (in-flight runs aborted) reconciling. */
  setLeader(held: boolean): void {
    if (held === this.#leader) return;
    this.#leader = held;
    this.#options.metrics.leaseHolder.set(held ? 1 : 0);
    if (held) {
      this.#abort = new AbortController();
      this.#options.log.info({ stacks: this.#entries.size }, 'leading: reconciling every stack');
      for (const key of this.#entries.keys()) this.#queue.add(key);
    } else {
      this.#options.log.warn({}, 'not leading: stopping reconciles, serving status only');
      this.#abort.abort(new LeaseLostError('lease lost'));
      for (const key of this.#entries.keys()) this.#queue.forget(key);
    }
    this.#changed();
  }

  /** mayRun tells whether this replica reconciles the stack now. */
  #mayRun(key: string): boolean {
    return this.#leader && (this.#owned === undefined || this.#owned.has(key));
  }

  /**
   * setOwned takes the stacks this replica now holds (shared mode): newly held ones are queued,
   * the others forgotten. A run of a stack no longer held stops at its next fence.
   */
  setOwned(keys: Set<string>): void {
    const owned = this.#owned;
    if (!owned) return;
    let changed = false;
    for (const key of keys) {
      if (owned.has(key)) continue;
      owned.add(key);
      changed = true;
      if (this.#entries.has(key) && !this.#stopping) this.#queue.add(key);
    }
    for (const key of [...owned]) {
      if (keys.has(key)) continue;
      owned.delete(key);
      changed = true;
      this.#queue.forget(key);
      this.#resyncDue.delete(key);
    }
    if (changed) this.#changed();
  }

  /** validStacks are the stacks of the current specs that are valid (only they need AWS). */
  validStacks(): string[] {
    return [...this.#entries.values()]
      .filter((entry) => entry.spec && entry.errors.length === 0)
      .map((entry) => entry.key);
  }

  /** running are the stacks with a run in flight. */
  running(): Set<string> {
    return new Set([...this.#entries.keys()].filter((key) => this.#queue.isRunning(key)));
  }

  /** setCheck records a readiness check (aws, lease) shown by /readyz. */
  setCheck(name: string, ok: boolean, message: string): void {
    this.#checks.set(name, { ok, message });
  }

  /** readiness: specs read, AWS reachable, lease state known. */
  readiness(): { ok: boolean; checks: Record<string, { ok: boolean; message: string }> } {
    const checks = Object.fromEntries(this.#checks);
    return { ok: !this.#stopping && [...this.#checks.values()].every((c) => c.ok), checks };
  }

  /** liveness: the heartbeat ran recently, so the event loop is not stuck. */
  liveness(): { ok: boolean; checks: Record<string, { ok: boolean; message: string }> } {
    const ageMs = this.#options.clock.now() - this.#lastTick;
    const ok = ageMs <= this.#tickMs() * 3;
    return { ok, checks: { loop: { ok, message: `last tick ${ageMs} ms ago` } } };
  }

  /** queueDepth counts stacks waiting to run now. */
  queueDepth(): number {
    return this.#queue.depth();
  }

  /** leader tells whether this replica reconciles. */
  get leader(): boolean {
    return this.#leader;
  }

  /** specsLoaded tells whether the first snapshot was read. */
  get specsLoaded(): boolean {
    return this.#specsLoaded;
  }

  /** idle resolves when no stack is waiting or running (tests). */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** stacks returns the status of every stack, sorted by name. */
  stacks(): StackStatus[] {
    return [...this.#entries.values()]
      .map((entry) => {
        const next =
          this.#queue.nextRunAt(entry.key) ??
          (this.#resyncDue.has(entry.key) ? this.#round?.at : undefined);
        return {
          ...entry.status,
          consecutiveFailures: this.#queue.failures(entry.key),
          nextRunAt: next === undefined ? undefined : new Date(next).toISOString(),
        };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * stop takes no more work, tells running reconciles to start no new operation (those in
   * flight finish), and resolves when they returned or after timeoutMs; false means timed out.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    this.#stopping = true;
    if (this.#tick) this.#options.clock.clearTimer(this.#tick);
    if (this.#round) this.#options.clock.clearTimer(this.#round.handle);
    this.#abort.abort(new Error('shutting down'));
    let timer: TimerHandle | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = this.#options.clock.setTimer(() => resolve(false), timeoutMs);
    });
    const finished = await Promise.race([this.#queue.shutDown().then(() => true), timedOut]);
    if (timer) this.#options.clock.clearTimer(timer);
    return finished;
  }

  #set(entry: StackEntry, condition: ConditionInput): void {
    entry.status.conditions = setCondition(
      entry.status.conditions,
      condition,
      new Date(this.#options.clock.now()),
    );
  }

  #record(
    entry: StackEntry,
    id: string,
    startedAt: number,
    result: ReconcileOutcome,
    run: { result?: ReconcileResult; drift?: DriftItem[]; message?: string } = {},
  ): void {
    const now = this.#options.clock.now();
    const durationMs = now - startedAt;
    entry.status.lastReconcile = {
      id,
      startedAt: new Date(startedAt).toISOString(),
      durationMs,
      result,
    };
    entry.status.history = appendHistory(
      entry.status.history,
      historyEntry({
        reconcileId: id,
        revision: entry.revision,
        at: new Date(now).toISOString(),
        durationMs,
        outcome: result,
        ...run,
      }),
    );
    this.#options.metrics.reconciles.inc({ stack: entry.key, result });
    if (result !== 'invalid-spec') {
      this.#options.metrics.reconcileDuration.observe({ stack: entry.key }, durationMs / 1000);
    }
    this.#changed();
  }

  /**
   * #observed keeps what a run saw of the stack for the page: each resource's health, the last
   * change this daemon made to it, the drifted fields, the outputs, and the plan while the stack
   * is not in sync.
   */
  #observed(
    entry: StackEntry,
    result: ReconcileResult,
    drift: DriftItem[],
    inSync: boolean,
    drifted: boolean,
  ): void {
    const at = new Date(this.#options.clock.now()).toISOString();
    const failed = new Set(result.failures.map((failure) => failure.address));
    for (const applied of result.applied) {
      if (applied.action === 'no-op' || failed.has(applied.address)) continue;
      if (applied.action === 'delete') {
        entry.lastChanges.delete(applied.address);
        continue;
      }
      entry.lastChanges.set(applied.address, {
        action: applied.action,
        at,
        revision: entry.revision,
        drift: drifted,
      });
    }
    entry.status.resources = resourceViews({
      stack: entry.key,
      result,
      dependencies: entry.dependencies,
      lastChanges: entry.lastChanges,
      drift,
    });
    entry.status.observedAt = at;
    if (entry.spec) {
      entry.status.outputs = allOutputs(entry.spec, result.observed ?? []);
    }
    entry.status.drift = drift;
    entry.status.plan = inSync ? undefined : currentPlan(result, entry.key);
  }

  #resyncDelay(): number {
    return withJitter(
      this.#options.resyncMs,
      this.#options.jitter ?? 0.1,
      this.#options.random ?? Math.random,
    );
  }

  /** #engine is what every reconcile of this controller passes the engine alike. */
  #engine(): Pick<ReconcileOptions, 'clientsFor' | 'stats' | 'limiter' | 'parallelism' | 'signal'> {
    const { clientsFor, stats, limiter, parallelism } = this.#options;
    return { clientsFor, stats, limiter, parallelism, signal: this.#abort.signal };
  }

  async #reconcileKey(key: string): Promise<WorkResult> {
    const entry = this.#entries.get(key);
    if (!entry) return {};
    const id = reconcileId();
    const log = this.#options.log.child({ reconcileId: id, stack: key });
    const startedAt = this.#options.clock.now();
    if (entry.errors.length > 0) return this.#invalidSpec(entry, log, id, startedAt);
    if (!this.#mayRun(key) || !entry.spec) return {};
    const spec = entry.spec;
    const planOnly = this.#options.observeOnly || spec.paused === true;
    const hash = entry.hash;
    const revision = entry.revision;
    let leaseLost = false;
    const fence = this.#options.fence;
    log.info({ revision, mode: planOnly ? 'plan' : 'apply' }, 'reconcile started');
    let result: ReconcileResult | undefined;
    try {
      result = await this.#options.reconcile({
        ...this.#engine(),
        stacks: [spec],
        mode: planOnly ? 'plan' : 'apply',
        log,
        beforeOperation: fence
          ? async () => {
              try {
                await fence(key);
              } catch (err) {
                if (err instanceof LeaseLostError) leaseLost = true;
                throw err;
              }
            }
          : undefined,
      });
    } catch (err) {
      if (!leaseLost && !this.#stopping) return this.#failed(entry, log, id, startedAt, err);
      result = undefined;
    }
    if (!result || leaseLost || this.#stopping || !this.#mayRun(key)) {
      log.warn({ leaseLost, stopping: this.#stopping }, 'reconcile interrupted');
      this.#record(entry, id, startedAt, 'aborted');
      if (leaseLost && this.#owned)
        this.setOwned(new Set([...this.#owned].filter((k) => k !== key)));
      else if (leaseLost) this.setLeader(false);
      return {};
    }
    return this.#finished(entry, log, id, startedAt, result, { planOnly, hash, revision });
  }

  #invalidSpec(entry: StackEntry, log: Logger, id: string, startedAt: number): never {
    const messages = entry.errors.map(formatSpecError);
    log.error(
      { file: entry.file, revision: entry.revision, errors: messages },
      'invalid spec: not reconciled until it changes; its resources are left as they are',
    );
    const first = messages[0] ?? 'invalid spec';
    const more = messages.length > 1 ? ` (and ${messages.length - 1} more)` : '';
    this.#set(entry, invalidSpec(`${first}${more}`));
    entry.status.lastError = {
      message: `${first}${more}`,
      at: new Date(this.#options.clock.now()).toISOString(),
      terminal: true,
    };
    entry.status.plan = undefined;
    this.#record(entry, id, startedAt, 'invalid-spec', { message: `${first}${more}` });
    throw new TerminalError(`invalid spec ${entry.file}`);
  }

  #failed(
    entry: StackEntry,
    log: Logger,
    id: string,
    startedAt: number,
    err: unknown,
    terminal = isTerminalFailure(err),
    run: { result?: ReconcileResult; drift?: DriftItem[] } = {},
  ): never {
    const failures = run.result?.failures ?? [];
    const message = err instanceof Error ? err.message : String(err);
    log.error(
      { err, terminal },
      terminal ? 'reconcile failed: not retried before the next resync' : 'reconcile failed',
    );
    const unkept = failures.filter((failure) => failure.operation === 'verify');
    this.#set(
      entry,
      unkept.length > 0 && unkept.length === failures.length
        ? inconsistentResult(unkept.map((failure) => failure.address))
        : reconcileError(err),
    );
    entry.status.lastError = {
      message,
      at: new Date(this.#options.clock.now()).toISOString(),
      terminal,
      ...(failures.length > 0
        ? {
            failures: failures.map((failure) => ({
              address: failure.address,
              kind: failure.kind,
              operation: failure.operation,
              ...(failure.code ? { code: failure.code } : {}),
              disposition: failure.disposition,
            })),
          }
        : {}),
    };
    if (!run.result) entry.status.plan = undefined;
    this.#record(entry, id, startedAt, terminal ? 'terminal' : 'error', { ...run, message });
    if (terminal) {
      throw new TerminalError(message, { cause: err, retryAfterMs: this.#resyncDelay() });
    }
    throw err;
  }

  #finished(
    entry: StackEntry,
    log: Logger,
    id: string,
    startedAt: number,
    result: ReconcileResult,
    run: { planOnly: boolean; hash: string; revision: string },
  ): WorkResult {
    const now = new Date(this.#options.clock.now()).toISOString();
    const changes = outstandingChanges(result);
    entry.status.lastPlanSummary = result.plan.summary;
    entry.status.pending = result.pending;
    this.#options.metrics.setStackResources(entry.key, resourceCounts(result));
    this.#logEvents(log, result);

    // drift: the spec is the one live resources last matched, yet the plan has changes
    const drift = entry.convergedHash === run.hash ? driftItems(changes) : [];
    const settled =
      result.failures.length === 0 &&
      result.skipped.length === 0 &&
      (result.waiting?.length ?? 0) === 0;
    this.#observed(
      entry,
      result,
      drift,
      changes.length === 0 || (!run.planOnly && settled),
      drift.length > 0,
    );
    if (entry.convergedHash === run.hash) {
      if (changes.length > 0) {
        const addresses = changes.map((change) => change.address);
        log.warn(
          {
            drift: changes.map((c) => ({
              address: c.address,
              action: c.action,
              fields: redactFields(c.fields),
            })),
          },
          run.planOnly ? 'drift detected (not corrected: plan only)' : 'drift detected; correcting',
        );
        this.#options.metrics.driftDetected.inc({ stack: entry.key });
        this.#set(entry, driftDetected(addresses));
      } else {
        this.#set(entry, noDrift());
      }
    }

    if (result.failures.length > 0) {
      const messages = result.failures.map((f) => `${f.address}: ${f.error}`);
      const err = new Error(`${result.failures.length} operations failed: ${messages.join('; ')}`);
      entry.convergedHash = undefined;
      this.#set(entry, notConverged(`${result.failures.length} operations failed`));
      const terminal = allTerminal(result.failures);
      this.#failed(entry, log, id, startedAt, err, terminal, { result, drift });
    }

    if (run.planOnly) {
      const why = this.#options.observeOnly ? 'observe-only' : 'paused';
      if (changes.length === 0) {
        entry.convergedHash = run.hash;
        this.#set(entry, available());
      } else {
        this.#set(entry, notConverged(`${changes.length} changes not applied (${why})`));
      }
      this.#set(
        entry,
        this.#options.observeOnly ? observeOnly('the daemon runs with --observe-only') : paused(),
      );
      entry.status.lastError = undefined;
      log.info({ summary: result.plan.summary, changes: changes.length }, `planned (${why})`);
      this.#record(entry, id, startedAt, 'observed', { result, drift });
      return this.#resyncLater(entry.key);
    }

    if (result.skipped.length > 0) {
      // stopped part-way (shutdown); the next run resumes from what it observes
      entry.convergedHash = undefined;
      this.#set(entry, notConverged(`${result.skipped.length} operations not started`));
      this.#record(entry, id, startedAt, 'aborted', { result, drift });
      return { requeueAfterMs: this.#options.pendingRequeueMs };
    }

    // changes deferred until a pending resource has an attribute (the database endpoint) are
    // still to be made: the next run that makes them is convergence, not drift
    const deferred = (result.waiting?.length ?? 0) > 0;
    entry.convergedHash = deferred ? undefined : run.hash;
    entry.status.lastError = undefined;
    entry.status.lastAppliedRevision = run.revision;
    entry.status.lastAppliedAt = now;
    this.#set(entry, reconcileSuccess());
    if (result.pending.length > 0) {
      this.#set(entry, pending(result.pending));
      log.info({ pending: result.pending }, 'reconciled; waiting for pending resources');
      this.#record(entry, id, startedAt, 'pending', { result, drift });
      return { requeueAfterMs: this.#options.pendingRequeueMs };
    }
    this.#set(entry, available());
    log.info({ summary: result.plan.summary, applied: result.applied.length }, 'reconciled');
    this.#record(entry, id, startedAt, 'success', { result, drift });
    return this.#resyncLater(entry.key);
  }

  /** resyncLater schedules a stack's next resync: its own, or the next round of stacks together. */
  #resyncLater(key: string): WorkResult {
    if (!this.#options.resyncTogether) return { requeueAfterMs: this.#resyncDelay() };
    this.#resyncDue.add(key);
    if (!this.#round) {
      const delay = this.#resyncDelay();
      const handle = this.#options.clock.setTimer(() => {
        this.#resyncRound().catch((err: unknown) =>
          this.#options.log.error({ err }, 'resync round failed'),
        );
      }, delay);
      this.#round = { at: this.#options.clock.now() + delay, handle };
    }
    return {};
  }

  /** idleFor tells whether nothing else runs or waits to run a stack (its own run goes first). */
  #idleFor(key: string): boolean {
    return !this.#queue.isRunning(key) && this.#queue.nextRunAt(key) === undefined;
  }

  /**
   * resyncRound observes every stack due for resync in one plan and records each stack's part
   * as its run. A stack that drifted, failed or waits for AWS is queued for a run of its own
   * (which corrects it); a failed plan queues them all.
   */
  async #resyncRound(): Promise<void> {
    this.#round = undefined;
    const keys = [...this.#resyncDue];
    this.#resyncDue.clear();
    if (this.#stopping || !this.#leader) return;
    const due = keys.flatMap((key) => {
      const entry = this.#entries.get(key);
      return entry?.spec && entry.errors.length === 0 && this.#idleFor(key) && this.#mayRun(key)
        ? [{ entry, spec: entry.spec, hash: entry.hash, revision: entry.revision }]
        : [];
    });
    if (due.length === 0) return;
    const id = reconcileId();
    const startedAt = this.#options.clock.now();
    const log = this.#options.log.child({ reconcileId: id });
    log.info({ stacks: due.length }, 'resync: observing the stacks together');
    let result: ReconcileResult;
    try {
      result = await this.#options.reconcile({
        ...this.#engine(),
        stacks: due.map(({ spec }) => spec),
        mode: 'plan',
        log,
      });
    } catch (err) {
      if (this.#stopping || !this.#leader) return;
      log.warn({ err }, 'resync: observing the stacks together failed; each runs on its own');
      for (const { entry } of due) this.#queue.add(entry.key);
      return;
    }
    for (const { entry, spec, hash, revision } of due) {
      if (this.#stopping || !this.#leader) return;
      // changed, removed or queued since: its own run reports it
      if (
        this.#entries.get(entry.key) !== entry ||
        entry.hash !== hash ||
        !this.#idleFor(entry.key) ||
        !this.#mayRun(entry.key)
      ) {
        continue;
      }
      const own = stackResult(result, spec.name);
      const planOnly = this.#options.observeOnly || spec.paused === true;
      const settled = own.failures.length === 0 && own.pending.length === 0;
      if (!settled || (!planOnly && outstandingChanges(own).length > 0)) {
        this.#queue.add(entry.key);
        continue;
      }
      const stackLog = this.#options.log.child({ reconcileId: id, stack: entry.key });
      const next = this.#finished(entry, stackLog, id, startedAt, own, {
        planOnly,
        hash,
        revision,
      });
      if (next.requeueAfterMs !== undefined) this.#queue.addAfter(entry.key, next.requeueAfterMs);
    }
    this.#changed();
  }

  #logEvents(log: Logger, result: ReconcileResult): void {
    const changeByAddress = new Map(
      result.plan.stacks.flatMap((stack) => stack.changes.map((c) => [c.address, c] as const)),
    );
    for (const applied of result.applied) {
      const change = changeByAddress.get(applied.address);
      log.child({ address: applied.address }).info(
        {
          event: applied.action,
          kind: change?.kind,
          id: change?.id,
          elapsedMs: applied.elapsedMs,
          changes: redactFields(change?.fields ?? []),
        },
        `${applied.address} ${applied.action === 'replace' ? 'replaced' : `${applied.action}d`}`,
      );
    }
  }
}
