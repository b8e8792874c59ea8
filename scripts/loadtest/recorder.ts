/**
 * Recorder keeps what the run measured: per stage and per time bucket of the timeline, the
 * requests answered, their latencies, and the failures by HTTP status or by error (a refused or
 * reset connection, a timeout). A request counts where its answer (or failure) arrived.
 */
import { LatencyHistogram } from './histogram.ts';
import type { Stage } from './stages.ts';
import type { RequestKind } from './traffic.ts';

/** Tally is the counts of one stage, one bucket or the whole run. */
export class Tally {
  /** requests answered with any status, plus failed attempts. */
  requests = 0;
  readonly latency = new LatencyHistogram();
  /** failures by status (`429`, `503`) or error (`ECONNRESET`, `timeout`); 2xx are not failures. */
  readonly failures = new Map<string, number>();
  /** peakUsers is the most virtual users that were running. */
  peakUsers = 0;

  get errors(): number {
    let sum = 0;
    for (const count of this.failures.values()) sum += count;
    return sum;
  }

  add(latencyMs: number | undefined, failure: string | undefined): void {
    this.requests += 1;
    if (latencyMs !== undefined) this.latency.record(latencyMs);
    if (failure !== undefined) this.failures.set(failure, (this.failures.get(failure) ?? 0) + 1);
  }
}

/** failureOf names a status that is a failure (anything but 2xx), or undefined. */
export function failureOf(status: number): string | undefined {
  return status >= 200 && status < 300 ? undefined : String(status);
}

export class Recorder {
  readonly stages: Tally[];
  readonly total = new Tally();
  readonly buckets: Tally[] = [];
  /** users[i] is the number of virtual users running at the end of bucket i. */
  readonly users: number[] = [];
  readonly byKind = new Map<RequestKind, number>();
  readonly bucketMs: number;

  constructor(stages: readonly Stage[], bucketMs: number) {
    this.stages = stages.map(() => new Tally());
    this.bucketMs = bucketMs;
  }

  /** bucketIndex is the index of the timeline's bucket for elapsedMs, created on demand. */
  bucketIndex(elapsedMs: number): number {
    const index = Math.max(0, Math.floor(elapsedMs / this.bucketMs));
    while (this.buckets.length <= index) {
      this.buckets.push(new Tally());
      this.users.push(this.users.at(-1) ?? 0);
    }
    return index;
  }

  /** response records one answer (status and latency) or one failed attempt (error code). */
  response(
    stage: number,
    elapsedMs: number,
    kind: RequestKind | undefined,
    outcome: { status: number; latencyMs: number } | { error: string },
  ): void {
    const [latency, failure] =
      'status' in outcome
        ? [outcome.latencyMs, failureOf(outcome.status)]
        : [undefined, outcome.error];
    const bucket = this.buckets[this.bucketIndex(elapsedMs)]!;
    for (const tally of [this.stages[stage]!, bucket, this.total]) {
      tally.add(latency, failure);
    }
    if (kind) this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
  }

  /** running notes how many virtual users run now. */
  running(stage: number, elapsedMs: number, users: number): void {
    const index = this.bucketIndex(elapsedMs);
    this.users[index] = users;
    const bucket = this.buckets[index]!;
    for (const tally of [this.stages[stage]!, bucket, this.total]) {
      tally.peakUsers = Math.max(tally.peakUsers, users);
    }
  }
}
