/** ConditionType is one of the three things /status reports per stack. */
export type ConditionType = 'Ready' | 'Synced' | 'Drifted';

/** ConditionStatus follows Kubernetes: True, False or Unknown (not observed yet). */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** Reason is the machine-readable cause of a condition, CamelCase like Kubernetes reasons. */
export type Reason =
  | 'Available'
  | 'Pending'
  | 'NotConverged'
  | 'ReconcileSuccess'
  | 'ReconcileError'
  | 'InconsistentResult'
  | 'InvalidSpec'
  | 'Paused'
  | 'ObserveOnly'
  | 'DriftDetected'
  | 'NoDrift'
  | 'NotObserved';

/** Condition is one observation about a stack, as in a Kubernetes object's status.conditions. */
export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  reason: Reason;
  message: string;
  /** When status last changed (ISO 8601); unchanged while only the message changes. */
  lastTransitionTime: string;
}

/** ConditionInput is a condition before it is stamped with a transition time. */
export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

function addressList(addresses: readonly string[]): string {
  const shown = addresses.slice(0, 10).join(', ');
  return addresses.length > 10 ? `${shown} and ${addresses.length - 10} more` : shown;
}

/** notObserved is the initial Unknown condition of each type. */
export function notObserved(type: ConditionType): ConditionInput {
  return { type, status: 'Unknown', reason: 'NotObserved', message: 'not reconciled yet' };
}

/** available: every resource exists, matches the spec and is ready. */
export function available(): ConditionInput {
  return {
    type: 'Ready',
    status: 'True',
    reason: 'Available',
    message: 'all resources match the spec',
  };
}

/** pending: resources AWS is still creating or changing; the stack is requeued shortly. */
export function pending(addresses: readonly string[]): ConditionInput {
  return {
    type: 'Ready',
    status: 'False',
    reason: 'Pending',
    message: `waiting for ${addressList(addresses)}`,
  };
}

/** notConverged: changes remain (failed operations, or nothing applied in observe-only mode). */
export function notConverged(message: string): ConditionInput {
  return { type: 'Ready', status: 'False', reason: 'NotConverged', message };
}

/** reconcileSuccess: the last reconcile ran without error. */
export function reconcileSuccess(message = 'last reconcile succeeded'): ConditionInput {
  return { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', message };
}

/** reconcileError: the last reconcile failed; it is retried with backoff unless terminal. */
export function reconcileError(err: unknown): ConditionInput {
  return {
    type: 'Synced',
    status: 'False',
    reason: 'ReconcileError',
    message: err instanceof Error ? err.message : String(err),
  };
}

/**
 * inconsistentResult: AWS did not keep what apply sent (the replan after the bounded passes was
 * not empty). Not drift: nobody changed it outside; AWS does not take the value.
 */
export function inconsistentResult(addresses: readonly string[]): ConditionInput {
  return {
    type: 'Synced',
    status: 'False',
    reason: 'InconsistentResult',
    message: `AWS did not keep what apply sent to ${addressList(addresses)}`,
  };
}

/** invalidSpec: the spec failed validation; terminal until the spec changes, resources untouched. */
export function invalidSpec(message: string): ConditionInput {
  return { type: 'Synced', status: 'False', reason: 'InvalidSpec', message };
}

/** paused: `spec.paused: true`, planned and reported only. */
export function paused(): ConditionInput {
  return {
    type: 'Synced',
    status: 'False',
    reason: 'Paused',
    message: 'spec.paused is true: drift is reported, nothing is changed',
  };
}

/** observeOnly: the daemon runs with --observe-only or does not hold the lease. */
export function observeOnly(message: string): ConditionInput {
  return { type: 'Synced', status: 'False', reason: 'ObserveOnly', message };
}

/** driftDetected: live resources differ from the spec that was already applied. */
export function driftDetected(addresses: readonly string[]): ConditionInput {
  return {
    type: 'Drifted',
    status: 'True',
    reason: 'DriftDetected',
    message: `changed outside the reconciler: ${addressList(addresses)}`,
  };
}

/** noDrift: the last observation found live resources as last applied. */
export function noDrift(): ConditionInput {
  return {
    type: 'Drifted',
    status: 'False',
    reason: 'NoDrift',
    message: 'live resources match the last applied spec',
  };
}

/**
 * setCondition replaces the condition of the same type, keeping lastTransitionTime when the
 * status did not change (as Kubernetes does), and returns the list in Ready, Synced, Drifted order.
 */
export function setCondition(
  conditions: readonly Condition[],
  next: ConditionInput,
  now: Date,
): Condition[] {
  const previous = conditions.find((condition) => condition.type === next.type);
  const lastTransitionTime =
    previous && previous.status === next.status ? previous.lastTransitionTime : now.toISOString();
  const order: ConditionType[] = ['Ready', 'Synced', 'Drifted'];
  return [
    ...conditions.filter((condition) => condition.type !== next.type),
    { ...next, lastTransitionTime },
  ].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

/** initialConditions is Unknown for all three types. */
export function initialConditions(now: Date): Condition[] {
  return (['Ready', 'Synced', 'Drifted'] as const).reduce<Condition[]>(
    (conditions, type) => setCondition(conditions, notObserved(type), now),
    [],
  );
}
