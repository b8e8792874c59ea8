/**
 * A stack's recent history: one entry per run that did something or ended differently from the
 * run before (a sync that created resources, a drift correction with the fields that drifted, a
 * failure), newest first and bounded. Runs that change nothing and end as the previous one did
 * are folded into it as a count, so a quiet stack resynced every five minutes keeps its story.
 */
import type { ReconcileResult } from '../engine/reconcile.ts';
import type { ReconcileOutcome } from './metrics.ts';
import type { DriftItem } from './stack-view.ts';

/** HISTORY_LIMIT is how many entries a stack keeps. */
export const HISTORY_LIMIT = 50;

/** HistoryEntry is one run of a stack, as the page's history lists it. */
export interface HistoryEntry {
  /** When the run ended (the first of the folded runs). */
  at: string;
  reconcileId: string;
  /** The spec revision the run worked from. */
  revision: string;
  result: ReconcileOutcome;
  durationMs: number;
  created: string[];
  updated: string[];
  replaced: string[];
  deleted: string[];
  /** Resources found changed out of band, with their fields (corrected unless plan only). */
  drift: DriftItem[];
  pending: string[];
  /** The error, for a failed run. */
  message?: string;
  /** Further runs that changed nothing and ended the same way, and when the last of them ended. */
  repeats: number;
  lastAt?: string;
}

/** RunRecord is what historyEntry reads of a finished run. */
export interface RunRecord {
  reconcileId: string;
  revision: string;
  at: string;
  durationMs: number;
  outcome: ReconcileOutcome;
  result?: ReconcileResult;
  drift?: readonly DriftItem[];
  message?: string;
}

function appliedOf(result: ReconcileResult | undefined, action: string): string[] {
  const addresses = (result?.applied ?? [])
    .filter((entry) => entry.action === action)
    .map((entry) => entry.address);
  return [...new Set(addresses)];
}

/** historyEntry describes one run: what it applied, what drifted, what is pending, its error. */
export function historyEntry(run: RunRecord): HistoryEntry {
  return {
    at: run.at,
    reconcileId: run.reconcileId,
    revision: run.revision,
    result: run.outcome,
    durationMs: run.durationMs,
    created: appliedOf(run.result, 'create'),
    updated: appliedOf(run.result, 'update'),
    replaced: appliedOf(run.result, 'replace'),
    deleted: appliedOf(run.result, 'delete'),
    drift: [...(run.drift ?? [])],
    pending: [...(run.result?.pending ?? [])],
    ...(run.message === undefined ? {} : { message: run.message }),
    repeats: 0,
  };
}

function quiet(entry: HistoryEntry): boolean {
  return (
    entry.created.length +
      entry.updated.length +
      entry.replaced.length +
      entry.deleted.length +
      entry.drift.length ===
    0
  );
}

function sameEnding(a: HistoryEntry, b: HistoryEntry): boolean {
  return (
    a.result === b.result &&
    a.revision === b.revision &&
    a.message === b.message &&
    a.pending.join() === b.pending.join()
  );
}

/**
 * appendHistory returns the history with the entry in front, at most `limit` entries. A quiet
 * entry (nothing applied, no drift) that ends as the newest quiet one did is counted in it
 * instead of added.
 */
export function appendHistory(
  history: readonly HistoryEntry[],
  entry: HistoryEntry,
  limit = HISTORY_LIMIT,
): HistoryEntry[] {
  const [newest, ...older] = history;
  if (newest && quiet(entry) && quiet(newest) && sameEnding(entry, newest)) {
    return [{ ...newest, repeats: newest.repeats + 1, lastAt: entry.at }, ...older];
  }
  return [entry, ...history].slice(0, Math.max(1, limit));
}
