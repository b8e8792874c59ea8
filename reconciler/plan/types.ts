/** PLAN_FORMAT_VERSION is bumped when the JSON shape of a plan changes incompatibly. */
export const PLAN_FORMAT_VERSION = '1.0';

/** Action is what apply will do to one resource. A replace is a delete followed by a create. */
export type Action = 'create' | 'update' | 'replace' | 'delete' | 'no-op';

/**
 * UNKNOWN marks a value that only exists after apply (the id of a resource not yet created).
 * It is a plain JSON object so plans stay serializable; test with isUnknown().
 */
export const UNKNOWN: Readonly<{ $unknown: true }> = Object.freeze({ $unknown: true });
export type Unknown = typeof UNKNOWN;

/** isUnknown tells whether a value is the "(known after apply)" marker. */
export function isUnknown(value: unknown): value is Unknown {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { $unknown?: unknown }).$unknown === true
  );
}

/** FieldChange is one differing field of one resource, path in dotted/bracket form (`ingress[0].port`). */
export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
  forcesReplacement: boolean;
  sensitive: boolean;
}

/** ResourceChange is the plan for one logical resource. */
export interface ResourceChange {
  address: string;
  kind: string;
  action: Action;
  /** Why this action: "not found", "drift", "removed from spec", "cidrBlock forces replacement", ... */
  reason: string;
  fields: FieldChange[];
  /** Physical id of the observed resource, when one exists. */
  id?: string;
  /** Set when apply refuses this change unless explicitly allowed (e.g. replacing a database). */
  guarded?: string;
  /** Number of managed top-level properties without a change (folded in the human rendering). */
  unchanged?: number;
  /**
   * Physical id of a resource that holds this address's name but not our ownership tags: the
   * create is refused (never duplicated) until `reconciler adopt` takes it over.
   */
  notOwned?: string;
  /** Set when AWS still reports the resource as being created or modified (requeue, never wait). */
  pending?: boolean;
  /** Informational lines about the resource that are not changes (`desiredCount: managed by auto scaling (now 3)`). */
  notes?: string[];
  /** For a delete: what happens to the AWS resource (retain: untagged and kept; snapshot: final snapshot first). */
  deletionPolicy?: 'delete' | 'retain' | 'snapshot';
}

/** StackPlan is the plan of one stack. */
export interface StackPlan {
  name: string;
  region: string;
  changes: ResourceChange[];
}

/** PlanSummary counts actions across stacks; a replace counts as one add and one destroy. */
export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  noOp: number;
}

/** Plan is the pure value every renderer and apply share. */
export interface Plan {
  formatVersion: string;
  stacks: StackPlan[];
  summary: PlanSummary;
}
