import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallStats } from '../aws/clients.ts';

/** ReconcileOutcome is the `result` label of reconciler_reconciles_total. */
export type ReconcileOutcome =
  | 'success'
  | 'pending'
  | 'error'
  | 'terminal'
  | 'invalid-spec'
  | 'observed'
  | 'aborted';

/** ResourceState is the `state` label of reconciler_resources, taken from the last plan. */
export type ResourceState = 'in-sync' | 'missing' | 'drifted' | 'orphaned' | 'pending';

/**
 * DaemonMetrics owns its own prom-client Registry (never the global one), so several daemons
 * or tests in one process do not collide, and /metrics shows only the reconciler's series.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'reconciler_reconciles_total',
    help: 'Reconciles of a stack, by result.',
    labelNames: ['stack', 'result'] as const,
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'reconciler_reconcile_duration_seconds',
    help: 'Duration of one reconcile of one stack (observe, plan, apply).',
    labelNames: ['stack'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly driftDetected = new Counter({
    name: 'reconciler_drift_detected_total',
    help: 'Reconciles that found live resources changed since the spec was applied.',
    labelNames: ['stack'] as const,
    registers: [this.registry],
  });
  readonly resources = new Gauge({
    name: 'reconciler_resources',
    help: 'Resources of all stacks by kind and state at their last plan.',
    labelNames: ['kind', 'state'] as const,
    registers: [this.registry],
  });
  readonly awsCalls = new Counter({
    name: 'reconciler_aws_calls_total',
    help: 'AWS API calls (retries not included) by service, operation and outcome.',
    labelNames: ['service', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'reconciler_queue_depth',
    help: 'Stacks waiting to be reconciled now.',
    registers: [this.registry],
  });
  readonly leaseHolder = new Gauge({
    name: 'reconciler_lease_holder',
    help: '1 when this replica holds the lease (or runs without one), else 0.',
    registers: [this.registry],
  });
  readonly #resourcesByStack = new Map<string, Map<string, number>>();

  /** observeCalls counts every AWS call recorded by stats. */
  observeCalls(stats: CallStats): void {
    stats.onCall((call) => this.awsCalls.inc(call));
  }

  /** setStackResources replaces one stack's counts (`kind\0state` -> n) and re-sums the gauge. */
  setStackResources(stack: string, counts: ReadonlyMap<string, number> | undefined): void {
    if (counts) this.#resourcesByStack.set(stack, new Map(counts));
    else this.#resourcesByStack.delete(stack);
    const totals = new Map<string, number>();
    for (const stackCounts of this.#resourcesByStack.values()) {
      for (const [key, count] of stackCounts) totals.set(key, (totals.get(key) ?? 0) + count);
    }
    this.resources.reset();
    for (const [key, count] of totals) {
      const [kind = '', state = ''] = key.split('\u0000');
      this.resources.set({ kind, state }, count);
    }
  }

  /** render returns the Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** contentType is the Content-Type of render()'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

/** resourceKey builds the key setStackResources expects. */
export function resourceKey(kind: string, state: ResourceState): string {
  return `${kind}\u0000${state}`;
}
