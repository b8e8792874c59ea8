/**
 * The stack's side of the run: a reading of the ECS task counts and the alarm states every few
 * seconds (Sampler), and what changed between readings (stackEvents, a pure function): scaling
 * events (a service's desired or running count moving) and alarm transitions.
 */
import type { StackReader, StackState } from './stack-reader.ts';

/** Sample is one reading, or why it failed. */
export interface Sample {
  elapsedMs: number;
  state?: StackState;
  error?: string;
}

/** ScalingEvent is a task count of one service moving between two readings. */
export interface ScalingEvent {
  elapsedMs: number;
  service: string;
  count: 'desired' | 'running';
  from: number;
  to: number;
}

/** AlarmTransition is an alarm changing state (from undefined: first seen, in that state). */
export interface AlarmTransition {
  elapsedMs: number;
  alarm: string;
  from: string | undefined;
  to: string;
  reason: string;
}

/** stackEvents compares each reading with the one before it. */
export function stackEvents(samples: readonly Sample[]): {
  scaling: ScalingEvent[];
  alarms: AlarmTransition[];
} {
  const scaling: ScalingEvent[] = [];
  const alarms: AlarmTransition[] = [];
  const counts = new Map<string, number>();
  const states = new Map<string, string>();
  for (const { elapsedMs, state } of samples) {
    if (!state) continue;
    for (const service of state.services) {
      for (const count of ['desired', 'running'] as const) {
        const key = `${service.name}\u0000${count}`;
        const before = counts.get(key);
        if (before !== undefined && before !== service[count]) {
          scaling.push({
            elapsedMs,
            service: service.name,
            count,
            from: before,
            to: service[count],
          });
        }
        counts.set(key, service[count]);
      }
    }
    for (const alarm of state.alarms) {
      const before = states.get(alarm.name);
      if (before !== alarm.state) {
        alarms.push({
          elapsedMs,
          alarm: alarm.name,
          from: before,
          to: alarm.state,
          reason: alarm.reason,
        });
      }
      states.set(alarm.name, alarm.state);
    }
  }
  return { scaling, alarms };
}

/** Sampler reads the stack every `everyMs` until stopped; one reading at a time. */
export class Sampler {
  readonly samples: Sample[] = [];
  readonly #read: StackReader;
  readonly #everyMs: number;
  readonly #elapsed: () => number;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;

  constructor(read: StackReader, everyMs: number, elapsed: () => number) {
    this.#read = read;
    this.#everyMs = everyMs;
    this.#elapsed = elapsed;
  }

  /** sample takes one reading now. */
  async sample(): Promise<Sample> {
    const elapsedMs = this.#elapsed();
    let sample: Sample;
    try {
      sample = { elapsedMs, state: await this.#read() };
    } catch (err) {
      sample = { elapsedMs, error: (err as Error).message || String(err) };
    }
    this.samples.push(sample);
    return sample;
  }

  /** start reads after firstAfterMs, then every everyMs after the previous reading ended. */
  start(firstAfterMs = 0): void {
    const loop = () => {
      this.#inFlight = this.sample().then(() => {
        if (!this.#stopped) this.#timer = setTimeout(loop, this.#everyMs);
      });
    };
    this.#timer = setTimeout(loop, firstAfterMs);
  }

  /** stop ends the loop after the reading in flight, then takes a last one. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#inFlight;
    await this.sample();
  }

  /** latest is the last successful reading. */
  latest(): StackState | undefined {
    for (let index = this.samples.length - 1; index >= 0; index--) {
      const state = this.samples[index]!.state;
      if (state) return state;
    }
    return undefined;
  }
}
