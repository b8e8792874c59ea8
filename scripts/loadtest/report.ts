/**
 * buildReport turns a finished run (the recorder's tallies, the stack's samples) into the rows
 * the terminal table, the Markdown summary and the chart show: one place that decides what a
 * stage's throughput and percentiles are.
 */
import type { ChartData } from './chart.ts';
import type { Tally } from './recorder.ts';
import type { RunResult } from './runner.ts';
import { type AlarmTransition, type Sample, type ScalingEvent, stackEvents } from './sampler.ts';
import { formatDuration, type Stage } from './stages.ts';
import type { RequestKind } from './traffic.ts';

/** Row is one line of the stages table (a stage, or the whole run). */
export interface Row {
  label: string;
  schedule: string;
  durationMs: number;
  peakUsers: number;
  requests: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  /** failures by status or error, most frequent first. */
  failures: Array<[string, number]>;
}

/** StackReport is what the samples of --stack showed. */
export interface StackReport {
  name: string;
  everyMs: number;
  readings: number;
  failedReadings: number;
  lastError?: string;
  services: Array<{ name: string; desired: [number, number]; running: [number, number] }>;
  alarmCount: number;
  scaling: ScalingEvent[];
  alarms: AlarmTransition[];
  /** tasks summed over the services, per reading, for the chart. */
  tasks: Array<{ elapsedMs: number; desired: number; running: number }>;
}

export interface Report {
  command: string;
  url: string;
  startedAt: Date;
  durationMs: number;
  bucketMs: number;
  stages: Stage[];
  rows: Row[];
  total: Row;
  byKind: Array<[RequestKind, number]>;
  stack?: StackReport;
  aborted?: string;
  timeline: Pick<ChartData, 'throughput' | 'users' | 'p50' | 'p99'>;
}

function row(label: string, schedule: string, durationMs: number, tally: Tally): Row {
  return {
    label,
    schedule,
    durationMs,
    peakUsers: tally.peakUsers,
    requests: tally.requests,
    perSecond: durationMs > 0 ? tally.requests / (durationMs / 1000) : 0,
    p50: tally.latency.percentile(50),
    p90: tally.latency.percentile(90),
    p99: tally.latency.percentile(99),
    errors: tally.errors,
    failures: [...tally.failures].sort((a, b) => b[1] - a[1]),
  };
}

/** scheduleOf describes a stage: a ramp (`0 → 50 users`) or a hold (`hold 50 users`). */
export function scheduleOf(stages: readonly Stage[], index: number): string {
  const from = index === 0 ? 0 : stages[index - 1]!.target;
  const to = stages[index]!.target;
  return from === to ? `hold ${to} users` : `${from} → ${to} users`;
}

function stackReport(name: string, everyMs: number, samples: readonly Sample[]): StackReport {
  const readings = samples.filter((sample) => sample.state);
  const failed = samples.filter((sample) => sample.error);
  const services = new Map<string, { desired: [number, number]; running: [number, number] }>();
  for (const { state } of readings) {
    for (const service of state!.services) {
      const seen = services.get(service.name) ?? {
        desired: [service.desired, service.desired],
        running: [service.running, service.running],
      };
      seen.desired = [
        Math.min(seen.desired[0], service.desired),
        Math.max(seen.desired[1], service.desired),
      ];
      seen.running = [
        Math.min(seen.running[0], service.running),
        Math.max(seen.running[1], service.running),
      ];
      services.set(service.name, seen);
    }
  }
  const { scaling, alarms } = stackEvents(samples);
  const last = readings.at(-1)?.state;
  return {
    name,
    everyMs,
    readings: readings.length,
    failedReadings: failed.length,
    ...(failed.length > 0 ? { lastError: failed.at(-1)!.error! } : {}),
    services: [...services].map(([service, counts]) => ({ name: service, ...counts })),
    alarmCount: last?.alarms.length ?? 0,
    scaling,
    alarms,
    tasks: readings.map(({ elapsedMs, state }) => ({
      elapsedMs,
      desired: state!.services.reduce((sum, s) => sum + s.desired, 0),
      running: state!.services.reduce((sum, s) => sum + s.running, 0),
    })),
  };
}

export function buildReport(input: {
  command: string;
  url: string;
  stages: Stage[];
  run: RunResult;
  stack?: { name: string; everyMs: number; samples: readonly Sample[] };
}): Report {
  const { stages, run } = input;
  const { recorder } = run;
  let start = 0;
  const rows = stages.map((stage, index) => {
    // a run stopped early ends its stages where it stopped
    const durationMs = Math.max(0, Math.min(stage.durationMs, run.durationMs - start));
    start += stage.durationMs;
    return row(String(index + 1), scheduleOf(stages, index), durationMs, recorder.stages[index]!);
  });
  const bucketSeconds = recorder.bucketMs / 1000;
  const widthOf = (index: number) =>
    Math.min(bucketSeconds, run.durationMs / 1000 - index * bucketSeconds);
  // a last bucket shorter than half the others would chart a rate from a handful of answers
  const buckets = recorder.buckets.filter((_, index) => widthOf(index) >= bucketSeconds / 2);
  return {
    command: input.command,
    url: input.url,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    bucketMs: recorder.bucketMs,
    stages,
    rows,
    total: row(
      'all',
      `${stages.length} stage${stages.length === 1 ? '' : 's'}`,
      run.durationMs,
      recorder.total,
    ),
    byKind: [...recorder.byKind].sort((a, b) => b[1] - a[1]),
    ...(input.stack
      ? { stack: stackReport(input.stack.name, input.stack.everyMs, input.stack.samples) }
      : {}),
    ...(run.aborted ? { aborted: run.aborted } : {}),
    timeline: {
      throughput: buckets.map((bucket, index) => bucket.requests / widthOf(index)),
      users: recorder.users.slice(0, buckets.length),
      p50: buckets.map((bucket) => bucket.latency.percentile(50)),
      p99: buckets.map((bucket) => bucket.latency.percentile(99)),
    },
  };
}

/** chartData is the chart of a report. */
export function chartData(report: Report): ChartData {
  let startMs = 0;
  const stages = report.stages.map((stage, index) => {
    const entry = { startMs, label: `${index + 1}: ${scheduleOf(report.stages, index)}` };
    startMs += stage.durationMs;
    return entry;
  });
  const stack = report.stack;
  return {
    title: `Load test of ${report.url}`,
    subtitle: `${report.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}, ${formatDuration(Math.round(report.durationMs))}, ${report.total.requests} requests, ${report.total.errors} errors`,
    durationMs: report.durationMs,
    bucketMs: report.bucketMs,
    ...report.timeline,
    stages,
    ...(stack && stack.services.length > 0 ? { tasks: stack.tasks } : {}),
    // an alarm's first reading is its state at the start, not a transition
    ...(stack ? { alarms: stack.alarms.filter((event) => event.from !== undefined) } : {}),
    tasksNote: stack
      ? stack.readings === 0
        ? `stack ${stack.name}: no reading succeeded`
        : `stack ${stack.name}: no ECS service found`
      : 'task counts are sampled with --stack NAME',
  };
}
