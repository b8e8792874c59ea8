/**
 * What the status page shows of one stack beyond its conditions: its resources as last observed
 * (with their dependencies, health and last change), its outputs, and the plan still to carry
 * out. Pure functions of a reconcile's result; every field value goes through the plan's
 * redaction (fieldLines), so nothing here can hold a secret.
 */
import { type ResourceOutputs, resourceOutputs } from '../engine/outputs.ts';
import type { ObservedEntry, ReconcileResult } from '../engine/reconcile.ts';
import { expandStack } from '../graph/expand.ts';
import { dependenciesOf } from '../graph/order.ts';
import { fieldLines } from '../plan/format.ts';
import { renderHuman } from '../plan/render-human.ts';
import type { Action, PlanSummary, ResourceChange } from '../plan/types.ts';
import type { Stack } from '../spec/types.generated.ts';
import { type Layer, layerOf, treeParents } from './layers.ts';

/** ResourceHealth is a resource's state on the page: AWS's word, or why it does not exist. */
export type ResourceHealth = 'ready' | 'pending' | 'failed' | 'not owned' | 'missing' | 'deleting';

/** LastChange is the last create, update, replace or delete the daemon made to a resource. */
export interface LastChange {
  action: Exclude<Action, 'no-op'>;
  at: string;
  revision: string;
  /** drift: the change corrected an out-of-band change (else it carried out a spec change). */
  drift: boolean;
}

/** DriftItem is one resource found changed out of band, its fields rendered as the plan does. */
export interface DriftItem {
  address: string;
  action: Exclude<Action, 'no-op'>;
  /** `retentionInDays = 7 -> 30`; sensitive values read `(sensitive value)`. */
  fields: string[];
}

/** ResourceView is one resource of the stack as /status and the page show it. */
export interface ResourceView {
  address: string;
  kind: string;
  layer: Layer;
  /** Physical id (observed, or of the unowned resource holding the name); absent when none exists. */
  id: string | undefined;
  status: ResourceHealth;
  /** The change the last run left to make (paused, observe-only, failed); absent when in sync. */
  planned?: Exclude<Action, 'no-op'>;
  /** Addresses it refers to or depends on. */
  dependsOn: string[];
  /** Its parent in the page's tree: the deepest dependency of its own layer. */
  parent?: string;
  lastChange?: LastChange;
  /** Fields the last run found changed out of band. */
  drifted?: string[];
}

/** StackOutputs are the stack's entry points, from observed attributes. */
export interface StackOutputs {
  loadBalancerUrl?: string;
  databaseEndpoint?: string;
}

/** CurrentPlan is the plan a stack not in sync still has, rendered like `reconciler plan`. */
export interface CurrentPlan {
  text: string;
  summary: PlanSummary;
}

/** stackDependencies maps each desired address of a spec to what it depends on; empty if it cannot expand. */
export function stackDependencies(spec: Stack): Map<string, string[]> {
  try {
    return new Map(
      expandStack(spec).map((resource) => [resource.address, dependenciesOf(resource)]),
    );
  } catch {
    return new Map();
  }
}

/** driftItems renders the changes a run found on a converged spec, secrets redacted. */
export function driftItems(changes: readonly ResourceChange[]): DriftItem[] {
  return changes.flatMap((change) =>
    change.action === 'no-op'
      ? []
      : [
          {
            address: change.address,
            action: change.action,
            fields: fieldLines(change.fields).map((line) => `${line.symbol} ${line.text}`),
          },
        ],
  );
}

/** ViewInput is what resourceViews reads: one stack's reconcile result and what the daemon kept. */
export interface ViewInput {
  stack: string;
  result: ReconcileResult;
  dependencies: ReadonlyMap<string, readonly string[]>;
  lastChanges: ReadonlyMap<string, LastChange>;
  drift: readonly DriftItem[];
}

function healthOf(
  change: ResourceChange,
  observed: ObservedEntry | undefined,
  run: { applied: Set<string>; failed: Set<string>; pending: Set<string> },
): ResourceHealth {
  if (run.failed.has(change.address)) return 'failed';
  if (change.notOwned && !run.applied.has(change.address)) return 'not owned';
  if (run.pending.has(change.address) || change.pending) return 'pending';
  if (observed) return observed.status;
  if (change.action === 'create' && !run.applied.has(change.address)) return 'missing';
  return 'ready';
}

/**
 * resourceViews lists a stack's resources in plan (dependency) order: every address the plan
 * has, minus those the run deleted, each with its health after the run. AWS's own status wins
 * over the plan's, except that a failure, a name held by an unowned resource, or a pending
 * operation of this run says more.
 */
export function resourceViews(input: ViewInput): ResourceView[] {
  const { result } = input;
  const changes = result.plan.stacks.find((stack) => stack.name === input.stack)?.changes ?? [];
  const observed = new Map(
    (result.observed ?? [])
      .filter((entry) => entry.stack === input.stack)
      .map((entry) => [entry.address, entry]),
  );
  const run = {
    applied: new Set(result.applied.map((entry) => entry.address)),
    failed: new Set(result.failures.map((failure) => failure.address)),
    pending: new Set(result.pending),
  };
  const drifted = new Map(input.drift.map((item) => [item.address, item.fields]));
  const views: ResourceView[] = [];
  for (const change of changes) {
    const seen = observed.get(change.address);
    const applied = run.applied.has(change.address);
    if (change.action === 'delete' && applied && !seen) continue;
    const view: ResourceView = {
      address: change.address,
      kind: change.kind,
      layer: layerOf(change.kind),
      id: seen?.id ?? change.id ?? change.notOwned,
      status: healthOf(change, seen, run),
      dependsOn: [...(input.dependencies.get(change.address) ?? [])],
    };
    if (change.action !== 'no-op' && (!applied || run.failed.has(change.address))) {
      view.planned = change.action;
    }
    const last = input.lastChanges.get(change.address);
    if (last) view.lastChange = last;
    const fields = drifted.get(change.address);
    if (fields) view.drifted = fields;
    views.push(view);
  }
  const parents = treeParents(views);
  for (const view of views) {
    const parent = parents.get(view.address);
    if (parent !== undefined) view.parent = parent;
  }
  return views;
}

/**
 * stackOutputs reads the stack's entry points from what was observed: the load balancer's DNS
 * name with the scheme and port of its first listener (HTTPS preferred), and the database
 * endpoint with its port. Missing until AWS reports them.
 */
export function stackOutputs(spec: Stack, observed: readonly ObservedEntry[]): StackOutputs {
  const outputs: StackOutputs = {};
  const find = (kind: string) =>
    observed.find((entry) => entry.stack === spec.name && entry.kind === kind);
  const dnsName = find('load-balancer')?.attributes.dnsName;
  if (dnsName) {
    const listeners = spec.loadBalancer?.listeners ?? [];
    const listener = listeners.find((candidate) => candidate.protocol === 'HTTPS') ?? listeners[0];
    const scheme = listener?.protocol === 'HTTPS' ? 'https' : 'http';
    const port = listener?.port ?? (scheme === 'https' ? 443 : 80);
    const defaultPort = scheme === 'https' ? 443 : 80;
    outputs.loadBalancerUrl = `${scheme}://${dnsName}${port === defaultPort ? '' : `:${port}`}/`;
  }
  const database = find('db-instance')?.attributes;
  if (database?.endpoint) {
    outputs.databaseEndpoint = database.port
      ? `${database.endpoint}:${database.port}`
      : database.endpoint;
  }
  return outputs;
}

/**
 * allOutputs are a stack's entry points and each resource's outputs by address: /status serves
 * them under `outputs`, and `reconciler output --output json` prints the same.
 */
export function allOutputs(
  spec: Stack,
  observed: readonly ObservedEntry[],
): StackOutputs & { resources: ResourceOutputs } {
  return { ...stackOutputs(spec, observed), resources: resourceOutputs(spec, observed) };
}

/** currentPlan renders the stack's part of the plan, as `reconciler plan` prints it (no colour). */
export function currentPlan(result: ReconcileResult, stack: string): CurrentPlan {
  const stacks = result.plan.stacks.filter((candidate) => candidate.name === stack);
  return { text: renderHuman({ ...result.plan, stacks }), summary: result.plan.summary };
}
