/**
 * Stages of a stepped load, as k6 writes them: `30s:50,2m:400,1m:0`. Each stage ramps the number
 * of virtual users linearly from the previous stage's target (0 before the first) to its own
 * target over its duration; a stage with the previous target holds it.
 */
import { UsageError } from './usage-error.ts';

/** Stage is one step: ramp to `target` virtual users over `durationMs`. */
export interface Stage {
  durationMs: number;
  target: number;
}

/** MAX_VUS bounds one stage's target: each virtual user is a connection of this one process. */
export const MAX_VUS = 5000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** parseDuration reads `500ms`, `30s`, `2m`, `1h`, `1m30s`; undefined when it is none of them. */
export function parseDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  return Math.round(parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit!]!, 0));
}

/** parseStages reads the --stages value; a bad one is a UsageError naming the flag, the value and the part. */
export function parseStages(text: string): Stage[] {
  const fail = (why: string) => new UsageError(`--stages ${text}: ${why}`);
  if (text.trim() === '') throw fail('no stages (expected e.g. 30s:50,2m:400,1m:0)');
  return text.split(',').map((part) => {
    const match = /^([^:]*):(.*)$/.exec(part.trim());
    if (!match) throw fail(`'${part}' is not DURATION:USERS (e.g. 30s:50)`);
    const [, durationText = '', targetText = ''] = match;
    const durationMs = parseDuration(durationText);
    if (durationMs === undefined || durationMs <= 0) {
      throw fail(`'${durationText}' is not a duration (e.g. 500ms, 30s, 2m, 1h, 1m30s)`);
    }
    if (!/^\d+$/.test(targetText)) {
      throw fail(`'${targetText}' is not a number of virtual users (a whole number, 0 or more)`);
    }
    const target = Number(targetText);
    if (target > MAX_VUS) throw fail(`${target} virtual users is more than ${MAX_VUS}`);
    return { durationMs, target };
  });
}

/** totalDuration is the length of the whole run. */
export function totalDuration(stages: readonly Stage[]): number {
  return stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}

/** stageAt is the index of the stage running at `elapsedMs` (the last one at and past the end). */
export function stageAt(stages: readonly Stage[], elapsedMs: number): number {
  let end = 0;
  for (const [index, stage] of stages.entries()) {
    end += stage.durationMs;
    if (elapsedMs < end) return index;
  }
  return stages.length - 1;
}

/** targetAt is the number of virtual users the schedule asks for at `elapsedMs` (0 past the end). */
export function targetAt(stages: readonly Stage[], elapsedMs: number): number {
  let start = 0;
  let from = 0;
  for (const stage of stages) {
    if (elapsedMs < start + stage.durationMs) {
      const fraction = Math.max(0, elapsedMs - start) / stage.durationMs;
      return Math.round(from + (stage.target - from) * fraction);
    }
    start += stage.durationMs;
    from = stage.target;
  }
  return 0;
}

/** formatDuration writes milliseconds the way --stages reads them (`1m30s`, `2s`, `500ms`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Math.round((ms % 60_000) / 100) / 10;
  return [hours ? `${hours}h` : '', minutes ? `${minutes}m` : '', seconds ? `${seconds}s` : '']
    .join('')
    .replace(/^$/, '0s');
}
