import { type AwsClients, CallStats, createClients, type RequestLimiter } from '../aws/clients.ts';
import type { ServiceLimits } from '../aws/concurrency.ts';
import { expandStack } from '../graph/expand.ts';
import type { Action, Plan, ResourceChange } from '../plan/types.ts';
import { createMemo } from '../resources/kit/memo.ts';
import { HANDLERS, PROTECTED_KINDS } from '../resources/registry.ts';
import type {
  DesiredResource,
  Logger,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
} from '../resources/types.ts';
import type { Stack } from '../spec/types.generated.ts';
import { applyPlan, type FailedChange, type WaitingChange } from './apply.ts';
import { lookUpValues } from './lookups.ts';
import { type ObservedIndex, observeStacks } from './observe.ts';
import { planStacks, type StackWork } from './plan.ts';
import type { ProgressEvent } from './progress.ts';
import { findUnowned } from './unowned.ts';
import { inconsistentResult, MAX_EXTRA_PASSES, outstanding } from './verify.ts';

/** DEFAULT_PARALLELISM bounds concurrent AWS operations (and observe reads) when none is given. */
export const DEFAULT_PARALLELISM = 8;

/** ReconcileOptions configures one observe -> plan (-> apply) pass over some stacks. */
export interface ReconcileOptions {
  stacks: Stack[];
  mode: 'plan' | 'apply' | 'destroy';
  /** Clients per region; by default created here (and closed at the end) with `stats` and `limiter`. */
  clientsFor?: (region: string) => AwsClients;
  stats?: CallStats;
  limiter?: RequestLimiter;
  /** The per-service bound on requests in flight (default: the process's). */
  concurrency?: ServiceLimits;
  /** Addresses whose guarded replace (a database) may go ahead: `db-instance.main` or `stack/db-instance.main`. */
  allowReplace?: string[];
  parallelism?: number;
  log?: Logger;
  onProgress?: (event: ProgressEvent) => void;
  /** Called before each AWS-changing operation (lease fencing): throwing aborts the apply. */
  beforeOperation?: (address: string) => Promise<void>;
  /** Stops starting new operations; running ones finish. */
  signal?: AbortSignal;
  /** Resource kinds to use, in creation order (default: the registry). */
  handlers?: readonly ResourceHandler[];
  /** Spec expansion (default: expandStack). */
  expand?: (stack: Stack) => DesiredResource[];
}

/**
 * ReconcileResult is the plan and, for apply and destroy, what happened. Addresses are plain
 * (`subnet.private-a`) for one stack and qualified (`shop/subnet.private-a`) for several.
 * `pending` lists resources AWS still creates or modifies, and those left for a later run because
 * something they refer to is still pending (`waiting` says why): requeue, the engine never waits.
 */
export interface ReconcileResult {
  plan: Plan;
  applied: { address: string; action: Action; elapsedMs: number; stack?: string }[];
  failures: FailedChange[];
  skipped: string[];
  pending: string[];
  waiting?: WaitingChange[];
  /** How many apply passes ran: 1, or more when the replan after apply was not empty (verify). */
  passes?: number;
  /**
   * The changes each further pass carried out (verify): what the first plan did not show, such
   * as a value changed out of band while the apply ran, or one AWS did not keep.
   */
  furtherChanges?: ResourceChange[];
  /**
   * What the last observation of the pass found, one entry per owned address (a leaked duplicate
   * or a resource being deleted gives way to the live one): after apply's verification, AWS as
   * the apply left it; otherwise AWS as the plan saw it. For status pages; never diffed.
   */
  observed?: ObservedEntry[];
}

/** ObservedEntry is one owned resource as observed: identity, health and the attributes others read. */
export type ObservedEntry = Pick<
  ObservedResource,
  'stack' | 'address' | 'kind' | 'id' | 'status' | 'attributes'
>;

/** observedResources flattens an observation to one resource per address, preferring one not being deleted. */
function observedResources(index: ObservedIndex): ObservedResource[] {
  const chosen: ObservedResource[] = [];
  for (const byAddress of index.values()) {
    for (const found of byAddress.values()) {
      const entry = found.find((candidate) => candidate.status !== 'deleting') ?? found[0];
      if (entry) chosen.push(entry);
    }
  }
  return chosen;
}

/** observedEntries is observedResources without the live settings. */
function observedEntries(index: ObservedIndex): ObservedEntry[] {
  return observedResources(index).map(({ stack, address, kind, id, status, attributes }) => ({
    stack,
    address,
    kind,
    id,
    status,
    attributes,
  }));
}

/** silentLogger discards everything (the default when no logger is given). */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

function regionsOf(stacks: readonly Stack[]): Map<string, string[]> {
  const regions = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const stack of stacks) {
    if (seen.has(stack.name)) throw new Error(`stack name ${stack.name} is used twice`);
    seen.add(stack.name);
    regions.set(stack.region, [...(regions.get(stack.region) ?? []), stack.name]);
  }
  return regions;
}

function planPending(plan: Plan): string[] {
  const qualify = plan.stacks.length > 1;
  return plan.stacks.flatMap((stack) =>
    stack.changes
      .filter((change) => change.pending)
      .map((change) => (qualify ? `${stack.name}/${change.address}` : change.address)),
  );
}

/**
 * PreparedReconcile is an observed and planned pass, not yet applied: the CLI shows the plan,
 * asks for confirmation, then applies exactly that plan. Call close() when done.
 */
export interface PreparedReconcile {
  plan: Plan;
  /** pending lists resources AWS reported as pending when observed. */
  pending: string[];
  /** observed is every owned resource the plan saw, one per address (saved plans fingerprint it). */
  observed: ObservedResource[];
  /**
   * adopt takes over the resource at `address` of `stack` that holds its name without our tags:
   * it must be the one this pass found, with physical id `id`. Throws a clear error otherwise.
   */
  adopt(stack: string, address: string, id: string): Promise<{ kind: string }>;
  /** apply carries out the plan (apply or destroy mode); a plan-mode pass applies nothing. */
  apply(): Promise<ReconcileResult>;
  /** close releases the SDK clients created for this pass. */
  close(): void;
}

/**
 * prepareReconcile observes the stacks (one batched read per kind and region) and plans them.
 * Throws when nothing could be planned (an observe read failed, a dependency cycle).
 */
export async function prepareReconcile(options: ReconcileOptions): Promise<PreparedReconcile> {
  const handlers = options.handlers ?? HANDLERS;
  const log = options.log ?? silentLogger;
  const parallelism = Math.max(1, options.parallelism ?? DEFAULT_PARALLELISM);
  const stats = options.stats ?? new CallStats();
  const created: AwsClients[] = [];
  const close = () => {
    for (const clients of created.splice(0)) clients.destroy();
  };
  const clientsFor =
    options.clientsFor ??
    ((region: string) => {
      const clients = createClients({
        region,
        stats,
        limiter: options.limiter,
        concurrency: options.concurrency,
      });
      created.push(clients);
      return clients;
    });
  try {
    const contexts = new Map<string, ResourceContext>();
    for (const [region, stacks] of regionsOf(options.stacks)) {
      contexts.set(region, { clients: clientsFor(region), region, stacks, log });
    }
    const expand = options.expand ?? expandStack;
    const desired = new Map(options.stacks.map((stack) => [stack.name, expand(stack)]));
    /** planPass observes everything afresh and plans it: the first plan, and each verification. */
    const planPass = async () => {
      // one memo per pass, shared by observe and the name look-ups after it
      const passContexts = new Map(
        [...contexts].map(([region, ctx]) => [region, { ...ctx, memo: createMemo() }]),
      );
      const observed = await observeStacks(passContexts, handlers, parallelism);
      const desiredStacks = options.stacks.map((stack) => ({
        stack: stack.name,
        region: stack.region,
        resources: desired.get(stack.name) ?? [],
      }));
      // a destroy plans no desired values: nothing to look up
      const looked =
        options.mode === 'destroy'
          ? desired
          : await lookUpValues(passContexts, handlers, desiredStacks);
      const unowned =
        options.mode === 'destroy'
          ? new Map()
          : await findUnowned(
              passContexts,
              handlers,
              desiredStacks.map((stack) => ({
                ...stack,
                resources: looked.get(stack.stack) ?? stack.resources,
              })),
              observed,
            );
      const planned = planStacks(options.stacks, observed, {
        mode: options.mode,
        handlers,
        expand: (stack) => looked.get(stack.name) ?? expand(stack),
        protectedKinds: PROTECTED_KINDS,
        unowned,
      });
      return { ...planned, observed, unowned };
    };
    const applyWork = (work: StackWork[]) =>
      applyPlan(work, {
        contexts,
        handlers,
        allowReplace: options.allowReplace ?? [],
        parallelism,
        log,
        onProgress: options.onProgress,
        beforeOperation: options.beforeOperation,
        signal: options.signal,
      });
    const { plan, work, observed, unowned } = await planPass();
    const pending = planPending(plan);
    let lastObserved = observed;
    const prepared: PreparedReconcile = {
      plan,
      pending,
      observed: observedResources(observed),
      close,
      async adopt(stackName, address, id) {
        const stack = options.stacks.find((candidate) => candidate.name === stackName);
        const resource = desired.get(stackName)?.find((entry) => entry.address === address);
        if (!stack || !resource) {
          const known = (desired.get(stackName) ?? []).map((entry) => entry.address).sort();
          throw new Error(
            `stack ${stackName} has no resource ${address}${known.length ? ` (addresses: ${known.join(', ')})` : ''}`,
          );
        }
        const handler = handlers.find((candidate) => candidate.kind === resource.kind);
        if (!handler?.adopt) {
          throw new Error(
            `${resource.kind} resources cannot be adopted: the kind has no unique name to find them by`,
          );
        }
        const owned = observed
          .get(stackName)
          ?.get(address)
          ?.find((entry) => entry.status !== 'deleting');
        if (owned)
          throw new Error(`${address} is already owned by stack ${stackName} (${owned.id})`);
        const found = unowned.get(stackName)?.get(address);
        if (!found)
          throw new Error(
            `found no ${resource.kind} with the name of ${address} that is not owned`,
          );
        if (found.id !== id) {
          throw new Error(
            `the ${resource.kind} with the name of ${address} is ${found.id}, not ${id}`,
          );
        }
        const ctx = contexts.get(stack.region);
        if (!ctx) throw new Error(`no context for region ${stack.region}`);
        await handler.adopt(ctx, found, resource);
        return { kind: resource.kind };
      },
      async apply() {
        if (options.mode === 'plan') {
          const observedNow = observedEntries(observed);
          return {
            plan,
            applied: [],
            failures: [],
            skipped: [],
            pending,
            waiting: [],
            observed: observedNow,
          };
        }
        const result: ReconcileResult = { plan, ...(await applyWork(work)), passes: 1 };
        if (options.mode === 'apply') await verify(result);
        result.observed = observedEntries(lastObserved);
        return result;
      },
    };

    /**
     * verify is apply's proof of convergence: while the last pass settled (no failure, nothing
     * skipped or deferred), it observes and plans once more; changes left get another
     * pass, at most MAX_EXTRA_PASSES, then end as "inconsistent result after apply" failures.
     */
    async function verify(result: ReconcileResult): Promise<void> {
      for (;;) {
        // resources AWS still works on are fine (the replan marks them pending and they are
        // not counted); changes deferred behind one are not, they would only defer again
        const settled =
          result.failures.length === 0 &&
          result.skipped.length === 0 &&
          (result.waiting?.length ?? 0) === 0;
        if (!settled || options.signal?.aborted) return;
        const replan = await planPass();
        lastObserved = replan.observed;
        const left = outstanding(replan.plan.stacks);
        // what AWS still works on, as of this last observation
        result.pending = planPending(replan.plan);
        if (left.length === 0) return;
        const passes = result.passes ?? 1;
        if (passes > MAX_EXTRA_PASSES) {
          result.failures.push(...inconsistentResult(left, passes, options.stacks.length > 1));
          return;
        }
        log.warn(
          { pass: passes + 1, changes: left.map(({ change }) => change.address) },
          'the replan after apply is not empty; applying again',
        );
        result.furtherChanges = [
          ...(result.furtherChanges ?? []),
          ...left.map(({ change }) => change),
        ];
        const again = await applyWork(replan.work);
        result.applied.push(...again.applied);
        result.failures.push(...again.failures);
        result.skipped.push(...again.skipped);
        result.pending.push(...again.pending);
        result.waiting = [...(result.waiting ?? []), ...again.waiting];
        result.passes = passes + 1;
      }
    }
    return prepared;
  } catch (err) {
    close();
    throw err;
  }
}

/**
 * reconcile observes the stacks (one batched read per kind and region), plans them, and in
 * `apply` or `destroy` mode carries the plan out. Throws only when nothing could be planned
 * (an observe read failed, a dependency cycle); operation failures are in the result.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const prepared = await prepareReconcile(options);
  try {
    return await prepared.apply();
  } finally {
    prepared.close();
  }
}
export type { ProgressEvent } from './progress.ts';
