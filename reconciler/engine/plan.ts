import { dependencyGraph, GraphError, orderGraph } from '../graph/order.ts';
import { countUnchanged, creationFields } from '../plan/diff.ts';
import { summarize } from '../plan/summary.ts';
import {
  type Action,
  type FieldChange,
  isUnknown,
  PLAN_FORMAT_VERSION,
  type Plan,
  type ResourceChange,
  type StackPlan,
} from '../plan/types.ts';
import { adoptCommand } from '../resources/kit/owned.ts';
import type {
  DeletionPolicy,
  DesiredResource,
  ObservedResource,
  ResourceHandler,
} from '../resources/types.ts';
import type { Stack } from '../spec/types.generated.ts';
import type { ObservedIndex } from './observe.ts';
import { planLookup, resolveRefs } from './refs.ts';
import type { UnownedIndex } from './unowned.ts';

/**
 * PlannedChange is one ResourceChange together with what apply needs to carry it out:
 * the desired resource (not for deletes) and the observed one (not for creates).
 */
export interface PlannedChange {
  change: ResourceChange;
  desired?: DesiredResource;
  observed?: ObservedResource;
  deletionPolicy: DeletionPolicy;
  /** True for deletes of resources outside the desired graph: removed from the spec, or leaked duplicates. */
  orphan: boolean;
}

/** StackWork is the plan of one stack with the dependency graph of its desired resources. */
export interface StackWork {
  stack: string;
  region: string;
  /** address -> addresses it depends on (desired resources only). */
  graph: Map<string, string[]>;
  changes: PlannedChange[];
  /** The observed resource each desired address is matched to (duplicates excluded). */
  live: Map<string, ObservedResource>;
}

/** PlanOptions selects the mode and the kinds (tests pass fake handlers). */
export interface PlanOptions {
  mode: 'plan' | 'apply' | 'destroy';
  handlers: readonly ResourceHandler[];
  expand: (stack: Stack) => DesiredResource[];
  protectedKinds: ReadonlySet<string>;
  /** Resources that hold a missing desired resource's name without our tags (see engine/unowned.ts). */
  unowned?: UnownedIndex;
}

/** PlanOutput is the pure plan value and the per-stack work behind it. */
export interface PlanOutput {
  plan: Plan;
  work: StackWork[];
}

const STATUS_RANK: Record<string, number> = { ready: 0, pending: 1, failed: 2, deleting: 3 };

/**
 * pickPrimary chooses which of several resources at one address is the real one: one another
 * resource uses (a route to it, a subnet in it) first, then ready first, then by id.
 */
function pickPrimary(
  candidates: readonly ObservedResource[],
  used: ReadonlySet<string>,
): ObservedResource | undefined {
  const unused = (resource: ObservedResource) => (used.has(resource.id) ? 0 : 1);
  return [...candidates].sort(
    (a, b) =>
      unused(a) - unused(b) ||
      (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9) ||
      a.id.localeCompare(b.id),
  )[0];
}

/** usedIds collects every string in the observed resources' properties: the ids they refer to. */
function usedIds(observedByAddress: ReadonlyMap<string, readonly ObservedResource[]>): Set<string> {
  const used = new Set<string>();
  const pending: unknown[] = [...observedByAddress.values()]
    .flat()
    .map((resource) => resource.properties);
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') used.add(value);
    else if (value && typeof value === 'object') pending.push(...Object.values(value));
  }
  return used;
}

function listPaths(changes: readonly FieldChange[]): string {
  const paths = changes.map((fieldChange) => fieldChange.path);
  return paths.length > 3
    ? `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more`
    : paths.join(', ');
}

/** orphanPolicy is the deletion policy of a resource no longer in the spec: the stack's, and a final snapshot for protected kinds. */
function orphanPolicy(
  stack: Stack,
  kind: string,
  protectedKinds: ReadonlySet<string>,
): DeletionPolicy {
  const stackPolicy = stack.deletionPolicy ?? 'delete';
  if (stackPolicy === 'delete' && protectedKinds.has(kind)) return 'snapshot';
  return stackPolicy;
}

function policyNote(policy: DeletionPolicy): string {
  if (policy === 'retain') return '; deletionPolicy retain: untagged and left in AWS';
  if (policy === 'snapshot') return '; deletionPolicy snapshot: final snapshot first';
  return '';
}

function deleteChange(
  observed: ObservedResource,
  reason: string,
  deletionPolicy: DeletionPolicy,
  orphan: boolean,
): PlannedChange {
  return {
    change: {
      address: observed.address,
      kind: observed.kind,
      action: 'delete',
      reason: `${reason}${policyNote(deletionPolicy)}`,
      fields: [],
      id: observed.id,
      deletionPolicy,
    },
    observed,
    deletionPolicy,
    orphan,
  };
}

function guardMessage(address: string): string {
  return `replacing ${address} destroys its data; apply refuses unless --allow-replace=${address}`;
}

/** ExplainedChange is a FieldChange that may carry a handler's reason (db-instance's ExplainedFieldChange). */
type ExplainedChange = FieldChange & { reason?: unknown };

/** reasonsOf collects the handlers' reasons, except of secrets and of values known only after apply. */
function reasonsOf(changes: readonly ExplainedChange[]): string[] {
  const reasons = changes
    .filter((fieldChange) => !fieldChange.sensitive && !isUnknown(fieldChange.after))
    .map((fieldChange) => fieldChange.reason)
    .filter((reason): reason is string => typeof reason === 'string' && reason !== '');
  return [...new Set(reasons)];
}

/**
 * replaceReason says why a resource is replaced: the reasons handlers attached to the forcing
 * field changes (`engine major version 16 -> 17 forces replacement`), then the forcing paths
 * without one (`cidrBlock forces replacement`).
 */
export function replaceReason(forcing: readonly ExplainedChange[]): string {
  const unexplained = forcing.filter((fieldChange) => reasonsOf([fieldChange]).length === 0);
  const parts = reasonsOf(forcing);
  if (unexplained.length > 0) {
    parts.push(
      `${listPaths(unexplained)} ${unexplained.length === 1 ? 'forces' : 'force'} replacement`,
    );
  }
  return parts.join('; ');
}

/** updateReason lists the differing paths, then the handlers' reasons, if any, in parentheses. */
export function updateReason(fields: readonly ExplainedChange[]): string {
  const reasons = reasonsOf(fields);
  const why = reasons.length > 0 ? ` (${reasons.join('; ')})` : '';
  return `differs: ${listPaths(fields)}${why}`;
}

/** ChangingAttributes: the attributes of a resource the plan gives new values ('all' for a create or replace). */
type ChangingAttributes = 'all' | ReadonlySet<string>;

/**
 * changingAttributes says which attributes of a planned resource get new values: all of them for
 * a create or replace, the handler's attributesChangedByUpdate for an update of a property (a
 * tags-only update changes none), none otherwise.
 */
function changingAttributes(
  change: ResourceChange,
  handler: ResourceHandler,
): ChangingAttributes | undefined {
  if (change.action === 'create' || change.action === 'replace') return 'all';
  if (change.action !== 'update' || !handler.attributesChangedByUpdate?.length) return undefined;
  const propertyChanged = change.fields.some(
    (fieldChange) => !fieldChange.path.startsWith('tags.'),
  );
  return propertyChanged ? new Set(handler.attributesChangedByUpdate) : undefined;
}

interface DesiredStep {
  desired: DesiredResource;
  handler: ResourceHandler;
  candidates: ObservedResource[];
  willChange: (address: string, attr: string) => boolean;
  live: Map<string, ObservedResource>;
  protectedKinds: ReadonlySet<string>;
  /** A resource with this address's name that is not ours. */
  unowned?: ObservedResource | undefined;
  /** The ids other observed resources refer to (see usedIds). */
  used: ReadonlySet<string>;
}

/** planDesired decides create / update / replace / no-op for one desired resource. */
function planDesired(step: DesiredStep): {
  planned: PlannedChange;
  duplicates: ObservedResource[];
} {
  const { desired, handler } = step;
  const present = step.candidates.filter((resource) => resource.status !== 'deleting');
  const primary = pickPrimary(present, step.used);
  const duplicates = present.filter((resource) => resource !== primary);
  const properties = resolveRefs(desired.properties, planLookup(step.live, step.willChange));
  const base = { address: desired.address, kind: desired.kind };
  if (!primary) {
    const deleting = step.candidates.length > 0;
    const change: ResourceChange = {
      ...base,
      action: 'create',
      reason: deleting ? 'the previous one is still being deleted in AWS' : 'not found',
      fields: creationFields(properties, desired.tags, handler.fields, handler.sensitive),
    };
    if (step.unowned && !deleting) {
      const id = step.unowned.id;
      change.reason = `exists as ${id} but is not owned by stack ${desired.stack}`;
      change.notOwned = id;
      change.guarded = `${desired.address} exists as ${id} but is not owned: adopt it with \`${adoptCommand(desired.stack, desired.address, id)}\``;
    }
    return {
      planned: {
        change,
        desired,
        deletionPolicy: desired.deletionPolicy,
        orphan: false,
      },
      duplicates,
    };
  }
  const fields = handler.diff(properties, primary.properties, desired.tags, primary.tags);
  const forcing = fields.filter((fieldChange) => fieldChange.forcesReplacement);
  let action: Action = 'no-op';
  let reason = 'up to date';
  if (primary.status === 'failed') {
    action = 'replace';
    reason = 'failed in AWS';
  } else if (forcing.length > 0) {
    action = 'replace';
    reason = replaceReason(forcing);
  } else if (fields.length > 0) {
    action = 'update';
    reason = updateReason(fields);
  }
  const pending = primary.status === 'pending';
  if (pending) reason += ' (still pending in AWS)';
  const change: ResourceChange = {
    ...base,
    action,
    reason,
    fields,
    id: primary.id,
    unchanged: countUnchanged(properties, handler.fields, fields),
  };
  if (pending) change.pending = true;
  const notes = action === 'replace' ? [] : (handler.notes?.(properties, primary.properties) ?? []);
  if (notes.length > 0) change.notes = notes;
  if (action === 'replace' && step.protectedKinds.has(desired.kind)) {
    change.guarded = guardMessage(desired.address);
  }
  return {
    planned: {
      change,
      desired,
      observed: primary,
      deletionPolicy: desired.deletionPolicy,
      orphan: false,
    },
    duplicates,
  };
}

/** stackGraph validates and orders a stack's desired graph; errors name the stack. */
function stackGraph(
  stack: Stack,
  desiredResources: readonly DesiredResource[],
): { graph: Map<string, string[]>; waves: string[][] } {
  try {
    const graph = dependencyGraph(desiredResources);
    return { graph, waves: orderGraph(graph) };
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    throw new GraphError(`cannot plan stack ${stack.name}: ${err.message}`, { cause: err });
  }
}

function planStack(
  stack: Stack,
  observedByAddress: Map<string, ObservedResource[]>,
  options: PlanOptions,
  handlersByKind: ReadonlyMap<string, ResourceHandler>,
  rank: (kind: string) => number,
): StackWork {
  const desiredResources = options.expand(stack);
  const { graph, waves } = stackGraph(stack, desiredResources);
  const desiredByAddress = new Map(
    desiredResources.map((resource) => [resource.address, resource]),
  );
  const changes: PlannedChange[] = [];
  const live = new Map<string, ObservedResource>();
  const reorder = (list: PlannedChange[]) =>
    list.sort(
      (a, b) =>
        rank(b.change.kind) - rank(a.change.kind) ||
        a.change.address.localeCompare(b.change.address),
    );

  if (options.mode === 'destroy') {
    const deletes: PlannedChange[] = [];
    for (const [address, candidates] of observedByAddress) {
      const desired = desiredByAddress.get(address);
      for (const observed of candidates) {
        if (observed.status === 'deleting') continue;
        const policy =
          desired?.deletionPolicy ?? orphanPolicy(stack, observed.kind, options.protectedKinds);
        deletes.push(deleteChange(observed, 'destroy', policy, desired === undefined));
      }
    }
    return { stack: stack.name, region: stack.region, graph, changes: reorder(deletes), live };
  }

  const changing = new Map<string, ChangingAttributes>();
  const duplicateDeletes: PlannedChange[] = [];
  const used = usedIds(observedByAddress);
  for (const wave of waves) {
    for (const address of wave) {
      const desired = desiredByAddress.get(address) as DesiredResource;
      const handler = handlersByKind.get(desired.kind);
      if (!handler)
        throw new Error(`cannot plan ${address}: unknown resource kind '${desired.kind}'`);
      const { planned, duplicates } = planDesired({
        desired,
        handler,
        candidates: (observedByAddress.get(address) ?? []).filter(
          (resource) => resource.kind === desired.kind,
        ),
        willChange: (target, attr) => {
          const attributes = changing.get(target);
          return attributes === 'all' || (attributes?.has(attr) ?? false);
        },
        live,
        protectedKinds: options.protectedKinds,
        unowned: options.unowned?.get(stack.name)?.get(address),
        used,
      });
      if (planned.observed) live.set(address, planned.observed);
      const attributes = changingAttributes(planned.change, handler);
      if (attributes) changing.set(address, attributes);
      changes.push(planned);
      for (const duplicate of duplicates) {
        // made by a retry whose first answer was lost, or by a create cut short
        const reason = used.has(duplicate.id)
          ? `duplicate of ${address} (${planned.observed?.id ?? 'none kept'})`
          : `duplicate of ${address}, unused`;
        duplicateDeletes.push(deleteChange(duplicate, reason, 'delete', true));
      }
    }
  }
  const removed: PlannedChange[] = [];
  for (const [address, candidates] of observedByAddress) {
    const desired = desiredByAddress.get(address);
    for (const observed of candidates) {
      if (observed.status === 'deleting') continue;
      if (desired && observed.kind === desired.kind) continue;
      const policy = orphanPolicy(stack, observed.kind, options.protectedKinds);
      removed.push(deleteChange(observed, 'removed from spec', policy, true));
    }
  }
  changes.push(...reorder([...duplicateDeletes, ...removed]));
  return { stack: stack.name, region: stack.region, graph, changes, live };
}

/**
 * planStacks diffs the desired graph of each stack against the observed index: for each desired
 * resource in dependency order, Refs resolve from observed attributes (UNKNOWN when the target
 * is created or replaced, or its planned update changes that attribute), then create / update /
 * replace / no-op; duplicates of an address and owned resources no longer in the spec become deletes. `destroy` mode deletes everything owned.
 */
export function planStacks(
  stacks: readonly Stack[],
  observed: ObservedIndex,
  options: PlanOptions,
): PlanOutput {
  const handlersByKind = new Map(options.handlers.map((handler) => [handler.kind, handler]));
  const kinds = options.handlers.map((handler) => handler.kind);
  const rank = (kind: string) => kinds.indexOf(kind);
  const work = stacks.map((stack) =>
    planStack(stack, observed.get(stack.name) ?? new Map(), options, handlersByKind, rank),
  );
  const stackPlans: StackPlan[] = work.map((stackWork) => ({
    name: stackWork.stack,
    region: stackWork.region,
    changes: stackWork.changes.map((planned) => planned.change),
  }));
  return {
    plan: {
      formatVersion: PLAN_FORMAT_VERSION,
      stacks: stackPlans,
      summary: summarize(stackPlans),
    },
    work,
  };
}
