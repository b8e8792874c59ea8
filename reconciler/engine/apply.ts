import type { Action } from '../plan/types.ts';
import {
  type Disposition,
  failure,
  ResourceError,
  type Operation as ResourceOperation,
} from '../resources/kit/errors.ts';
import type {
  Logger,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
} from '../resources/types.ts';
import type { PlannedChange, StackWork } from './plan.ts';
import type { ProgressEvent, Step } from './progress.ts';
import { applyLookup, MissingAttributeError, resolveRefs } from './refs.ts';

/** ApplyOptions is everything applyPlan needs besides the planned work. */
export interface ApplyOptions {
  /** One context per region (clients, stacks in scope, logger). */
  contexts: ReadonlyMap<string, ResourceContext>;
  handlers: readonly ResourceHandler[];
  /** Addresses (`db-instance.main` or `stack/db-instance.main`) whose guarded replace is allowed. */
  allowReplace: readonly string[];
  parallelism: number;
  log: Logger;
  onProgress?: (event: ProgressEvent) => void;
  beforeOperation?: (address: string) => Promise<void>;
  signal?: AbortSignal;
}

/** AppliedChange is one resource apply changed. `address` is qualified `stack/address` when several stacks are applied. */
export interface AppliedChange {
  address: string;
  action: Action;
  elapsedMs: number;
  stack: string;
}

/**
 * FailedChange is one resource whose operation failed (its dependents are skipped). The typed
 * fields come from the ResourceError: callers decide on `disposition`, never on the message.
 */
export interface FailedChange {
  address: string;
  action: Action;
  error: string;
  stack: string;
  kind: string;
  operation: ResourceOperation;
  /** The AWS error code, when AWS refused. */
  code?: string;
  disposition: Disposition;
}

/** WaitingChange is a resource not changed yet because something it refers to is still pending in AWS. */
export interface WaitingChange {
  address: string;
  /** `waiting for db-instance.main endpoint`, or `waiting for task-definition.api` (a dependency that waits). */
  reason: string;
  stack: string;
}

/**
 * ApplyOutcome lists what happened; skipped and pending hold (qualified) addresses. `pending` also
 * holds the resources left for a later run because a Ref's target is still pending (`waiting`
 * says why), so a daemon requeues.
 */
export interface ApplyOutcome {
  applied: AppliedChange[];
  failures: FailedChange[];
  skipped: string[];
  pending: string[];
  waiting: WaitingChange[];
}

type OperationState = 'waiting' | 'running' | 'done' | 'failed' | 'skipped' | 'deferred';

/** Operation is one step of the apply DAG: the upsert of a desired resource, or the delete of an observed one. */
interface Operation {
  work: StackWork;
  planned: PlannedChange;
  phase: 'upsert' | 'delete';
  address: string;
  kind: string;
  waitsFor: Set<Operation>;
  state: OperationState;
  /** It changed something in AWS (dependents planned as no-op are then diffed again). */
  effective: boolean;
  /** A delete of an address of the desired graph (replace, or destroy): ordered by the graph, not by kind. */
  graphDelete: boolean;
  elapsedMs: number;
  /** The step being run, for progress and failures. */
  step: Step;
}

function initialStep(planned: PlannedChange, phase: 'upsert' | 'delete'): Step {
  const action = planned.change.action;
  if (phase === 'delete') return planned.deletionPolicy === 'retain' ? 'untag' : 'delete';
  return action === 'create' || action === 'replace' ? 'create' : 'update';
}

function reaches(from: Operation, target: Operation): boolean {
  const seen = new Set<Operation>();
  const stack = [from];
  while (stack.length > 0) {
    const current = stack.pop() as Operation;
    if (current === target) return true;
    if (seen.has(current)) continue;
    seen.add(current);
    stack.push(...current.waitsFor);
  }
  return false;
}

/** waitIfAcyclic makes `op` wait for `other` unless `other` already (transitively) waits for `op`. */
function waitIfAcyclic(op: Operation, other: Operation): void {
  if (op === other || op.waitsFor.has(other) || reaches(other, op)) return;
  op.waitsFor.add(other);
}

/**
 * buildOperations turns one stack's plan into a DAG. Hard edges come from the desired graph:
 * create/update of X after create/update of X's dependencies; a replace deletes old X before
 * creating new X, after deleting the replaced or destroyed dependents of X. Soft edges, kept only
 * when they close no cycle, cover what the graph cannot know (no state file): deletes outside the
 * graph go in reverse kind order, and after the updates of later kinds that may still refer to them.
 */
function buildOperations(work: StackWork, rank: (kind: string) => number): Operation[] {
  const operations: Operation[] = [];
  const upserts = new Map<string, Operation>();
  const graphDeletes = new Map<string, Operation[]>();
  const make = (planned: PlannedChange, phase: Operation['phase'], graphDelete: boolean) => {
    const op: Operation = {
      work,
      planned,
      phase,
      address: planned.change.address,
      kind: planned.change.kind,
      waitsFor: new Set(),
      state: 'waiting',
      effective: false,
      graphDelete,
      elapsedMs: 0,
      step: initialStep(planned, phase),
    };
    operations.push(op);
    if (graphDelete) graphDeletes.set(op.address, [...(graphDeletes.get(op.address) ?? []), op]);
    return op;
  };
  for (const planned of work.changes) {
    if (planned.desired) {
      const upsert = make(planned, 'upsert', false);
      upserts.set(upsert.address, upsert);
      if (planned.change.action === 'replace') upsert.waitsFor.add(make(planned, 'delete', true));
    } else {
      make(planned, 'delete', !planned.orphan && work.graph.has(planned.change.address));
    }
  }
  for (const upsert of upserts.values()) {
    for (const dependency of work.graph.get(upsert.address) ?? []) {
      const target = upserts.get(dependency);
      if (target) upsert.waitsFor.add(target);
    }
  }
  for (const [dependent, dependencies] of work.graph) {
    for (const dependentDelete of graphDeletes.get(dependent) ?? []) {
      for (const dependency of dependencies) {
        for (const dependencyDelete of graphDeletes.get(dependency) ?? []) {
          dependencyDelete.waitsFor.add(dependentDelete);
        }
      }
    }
  }
  const deletes = operations.filter((op) => op.phase === 'delete');
  for (const op of deletes) {
    for (const other of deletes) {
      if (op.graphDelete && other.graphDelete) continue;
      if (rank(other.kind) > rank(op.kind)) waitIfAcyclic(op, other);
    }
  }
  for (const op of deletes.filter((candidate) => !candidate.graphDelete)) {
    for (const upsert of upserts.values()) {
      if (upsert.planned.change.action === 'update' && rank(upsert.kind) >= rank(op.kind)) {
        waitIfAcyclic(op, upsert);
      }
    }
  }
  return operations;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * applyPlan executes planned work: independent operations run in parallel (at most
 * `parallelism` at a time across all stacks), Refs are resolved again from resources as they get
 * created, a failure skips its dependents but not its siblings, and a pending status is reported,
 * never waited on: a Ref to an attribute a pending target lacks (an endpoint) leaves the
 * dependent and what depends on it for a later run, reported as pending. Running again resumes:
 * the next plan observes everything afresh.
 */
export async function applyPlan(
  work: readonly StackWork[],
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  const kinds = options.handlers.map((handler) => handler.kind);
  const rank = (kind: string) => kinds.indexOf(kind);
  const handlersByKind = new Map(options.handlers.map((handler) => [handler.kind, handler]));
  const qualify =
    work.length > 1
      ? (op: Operation) => `${op.work.stack}/${op.address}`
      : (op: Operation) => op.address;
  const operations = work.flatMap((stackWork) => buildOperations(stackWork, rank));
  const outcome: ApplyOutcome = {
    applied: [],
    failures: [],
    skipped: [],
    pending: [],
    waiting: [],
  };
  const pending = new Set<string>();
  let stopReason: string | undefined;

  const emit = (op: Operation, event: Omit<ProgressEvent, 'stack' | 'address' | 'action'>) => {
    const full: ProgressEvent = {
      stack: op.work.stack,
      address: op.address,
      action: op.planned.change.action,
      ...event,
    };
    options.log.info({ ...full }, `${op.address}: ${event.type} ${event.step}`);
    options.onProgress?.(full);
  };

  const allowed = (op: Operation) =>
    options.allowReplace.includes(op.address) ||
    options.allowReplace.includes(`${op.work.stack}/${op.address}`);

  const fence = async (op: Operation) => {
    if (!options.beforeOperation) return;
    try {
      await options.beforeOperation(op.address);
    } catch (err) {
      stopReason = `aborted before ${qualify(op)}: ${messageOf(err)}`;
      throw new Error(`aborted: ${messageOf(err)}`, { cause: err });
    }
  };

  const contextFor = (op: Operation) => {
    const ctx = options.contexts.get(op.work.region);
    const handler = handlersByKind.get(op.kind);
    if (!ctx || !handler)
      throw new Error(`no handler or context for ${op.kind} in ${op.work.region}`);
    return { ctx, handler };
  };

  const runDelete = async (op: Operation): Promise<void> => {
    const { planned } = op;
    if (planned.change.guarded && !allowed(op)) {
      throw failure(
        `refusing to replace ${op.address}: it destroys its data; allow it with --allow-replace=${op.address}`,
        { kind: op.kind, address: op.address, operation: 'delete', disposition: 'terminal' },
      );
    }
    const { ctx, handler } = contextFor(op);
    const observed = planned.observed as ObservedResource;
    const step: Step = planned.deletionPolicy === 'retain' ? 'untag' : 'delete';
    op.step = step;
    await fence(op);
    const started = Date.now();
    emit(op, { type: 'start', step, id: observed.id });
    await handler.delete(ctx, observed, { deletionPolicy: planned.deletionPolicy });
    op.elapsedMs = Date.now() - started;
    op.effective = true;
    if (planned.change.action === 'replace') op.work.live.delete(op.address);
    emit(op, { type: 'finish', step, id: observed.id, elapsedMs: op.elapsedMs });
    if (planned.change.action === 'delete') {
      outcome.applied.push({
        address: qualify(op),
        action: 'delete',
        elapsedMs: op.elapsedMs,
        stack: op.work.stack,
      });
    }
  };

  const runUpsert = async (op: Operation): Promise<void> => {
    const { planned } = op;
    const desired = planned.desired;
    if (!desired) throw new Error(`no desired resource for ${op.address}`);
    const action = planned.change.action;
    const dependencyChanged = [...op.waitsFor].some((other) => other.effective);
    if (action === 'no-op' && !dependencyChanged) {
      if (planned.change.pending) pending.add(qualify(op));
      return;
    }
    if (planned.change.notOwned) {
      throw failure(planned.change.guarded ?? `${op.address} exists but is not owned`, {
        kind: op.kind,
        address: op.address,
        operation: 'create',
        disposition: 'terminal',
      });
    }
    const { ctx, handler } = contextFor(op);
    const properties = resolveRefs(desired.properties, applyLookup(op.work.live));
    const resolved = { ...desired, properties };
    let result: ObservedResource;
    let step: Step;
    if (action === 'create' || action === 'replace') {
      step = 'create';
      op.step = step;
      await fence(op);
      const started = Date.now();
      emit(op, { type: 'start', step });
      result = await handler.create(ctx, resolved);
      op.elapsedMs = Date.now() - started;
    } else {
      const observed = op.work.live.get(op.address) ?? (planned.observed as ObservedResource);
      const changes = handler.diff(properties, observed.properties, desired.tags, observed.tags);
      if (changes.length === 0) {
        if (planned.change.pending) pending.add(qualify(op));
        return;
      }
      const forcing = changes.filter((change) => change.forcesReplacement);
      if (forcing.length > 0) {
        // the world moved between plan and apply: retryable, the next run plans again
        throw failure(
          `plan is stale: ${op.address} now needs replacement (${forcing.map((change) => change.path).join(', ')}); plan again`,
          { kind: op.kind, address: op.address, operation: 'update', disposition: 'retryable' },
        );
      }
      step = 'update';
      op.step = step;
      await fence(op);
      const started = Date.now();
      emit(op, { type: 'start', step, id: observed.id });
      result = await handler.update(ctx, resolved, observed, changes);
      op.elapsedMs = Date.now() - started;
    }
    op.effective = true;
    op.work.live.set(op.address, result);
    const isPending = result.status === 'pending';
    if (isPending) pending.add(qualify(op));
    emit(op, {
      type: 'finish',
      step,
      id: result.id,
      elapsedMs: op.elapsedMs,
      pending: isPending,
    });
    const deleteStep = [...op.waitsFor].find(
      (other) => other.phase === 'delete' && other.address === op.address,
    );
    outcome.applied.push({
      address: qualify(op),
      action: action === 'no-op' ? 'update' : action,
      elapsedMs: op.elapsedMs + (deleteStep?.elapsedMs ?? 0),
      stack: op.work.stack,
    });
  };

  const run = async (op: Operation): Promise<void> => {
    op.state = 'running';
    const started = Date.now();
    try {
      await (op.phase === 'delete' ? runDelete(op) : runUpsert(op));
      op.state = 'done';
    } catch (err) {
      if (err instanceof MissingAttributeError) {
        defer(op, err.message);
        return;
      }
      op.state = 'failed';
      // a kind's errors are typed already; anything else keeps its message and gets typed here
      const typed =
        err instanceof ResourceError
          ? err
          : new ResourceError(messageOf(err), {
              kind: op.kind,
              address: op.address,
              operation: op.step,
              cause: err,
            });
      const message = typed.message;
      emit(op, {
        type: 'fail',
        step: op.step,
        elapsedMs: Date.now() - started,
        message,
      });
      options.log.error({ err, stack: op.work.stack, address: op.address }, 'operation failed');
      outcome.failures.push({
        address: qualify(op),
        action: op.planned.change.action,
        error: message,
        stack: op.work.stack,
        kind: op.kind,
        operation: typed.operation,
        ...(typed.code ? { code: typed.code } : {}),
        disposition: typed.disposition,
      });
    }
  };

  const skip = (op: Operation, why: string) => {
    op.state = 'skipped';
    const action = op.planned.change.action;
    if (action === 'no-op') return;
    const name = qualify(op);
    if (!outcome.skipped.includes(name)) outcome.skipped.push(name);
    emit(op, { type: 'skip', step: op.step, message: why });
  };

  /** defer leaves an operation for a later run: a Ref's target is pending in AWS (requeue, never wait). */
  const defer = (op: Operation, why: string) => {
    op.state = 'deferred';
    if (op.planned.change.action === 'no-op') return;
    const name = qualify(op);
    pending.add(name);
    if (!outcome.waiting.some((entry) => entry.address === name)) {
      outcome.waiting.push({ address: name, reason: why, stack: op.work.stack });
    }
    emit(op, { type: 'skip', step: op.step, message: why });
  };

  const inFlight = new Set<Promise<void>>();
  for (;;) {
    let cascaded = true;
    while (cascaded) {
      cascaded = false;
      for (const op of operations) {
        if (op.state !== 'waiting') continue;
        const blocker = [...op.waitsFor].find(
          (other) => other.state === 'failed' || other.state === 'skipped',
        );
        if (blocker) {
          skip(op, `${blocker.address} ${blocker.state === 'failed' ? 'failed' : 'was skipped'}`);
          cascaded = true;
          continue;
        }
        const waitingFor = [...op.waitsFor].find((other) => other.state === 'deferred');
        if (waitingFor) {
          defer(op, `waiting for ${waitingFor.address}`);
          cascaded = true;
        }
      }
    }
    if (stopReason === undefined && options.signal?.aborted) stopReason = 'apply stopped';
    if (stopReason !== undefined) {
      for (const op of operations) if (op.state === 'waiting') skip(op, stopReason);
    }
    for (const op of operations) {
      if (inFlight.size >= options.parallelism) break;
      if (op.state !== 'waiting' || stopReason !== undefined) continue;
      if (![...op.waitsFor].every((other) => other.state === 'done')) continue;
      const running: Promise<void> = run(op).finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
  }
  for (const op of operations) if (op.state === 'waiting') skip(op, 'unreachable');
  outcome.pending = [...pending];
  return outcome;
}
