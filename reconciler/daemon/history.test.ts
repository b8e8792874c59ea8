import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReconcileResult } from '../engine/reconcile.ts';
import { appendHistory, type HistoryEntry, historyEntry, type RunRecord } from './history.ts';

const plan = {
  formatVersion: '1.0',
  stacks: [],
  summary: { add: 0, change: 0, destroy: 0, replace: 0, noOp: 0 },
};

function result(applied: ReconcileResult['applied'] = [], pending: string[] = []): ReconcileResult {
  return { plan, applied, failures: [], skipped: [], pending };
}

function run(at: number, extra: Partial<RunRecord> = {}): HistoryEntry {
  return historyEntry({
    reconcileId: `run-${at}`,
    revision: 'sha-1',
    at: new Date(at * 1000).toISOString(),
    durationMs: 10,
    outcome: 'success',
    result: result(),
    ...extra,
  });
}

test('historyEntry lists what a run applied by action, once each', () => {
  const entry = run(1, {
    result: result(
      [
        { address: 'vpc.main', action: 'create', elapsedMs: 1 },
        { address: 'log-group.api', action: 'update', elapsedMs: 1 },
        // a further pass of the same apply touched it again
        { address: 'log-group.api', action: 'update', elapsedMs: 1 },
        { address: 'subnet.old', action: 'delete', elapsedMs: 1 },
        { address: 'target-group.api', action: 'replace', elapsedMs: 1 },
      ],
      ['nat-gateway.a'],
    ),
  });
  assert.deepStrictEqual(
    [entry.created, entry.updated, entry.deleted, entry.replaced, entry.pending],
    [['vpc.main'], ['log-group.api'], ['subnet.old'], ['target-group.api'], ['nat-gateway.a']],
  );
});

test('appendHistory folds quiet runs that end alike, and keeps everything else apart', () => {
  const drift = [{ address: 'log-group.api', action: 'update' as const, fields: ['~ x = 1 -> 2'] }];
  const cases: Array<{ reason: string; runs: HistoryEntry[]; expect: Array<[string, number]> }> = [
    {
      reason: 'three quiet successes are one entry with two repeats',
      runs: [run(1), run(2), run(3)],
      expect: [['run-1', 2]],
    },
    {
      reason: 'a drift correction is its own entry, and the quiet runs after it start a new one',
      runs: [run(1), run(2, { drift }), run(3), run(4)],
      expect: [
        ['run-3', 1],
        ['run-2', 0],
        ['run-1', 0],
      ],
    },
    {
      reason: 'a different result or error message is a new entry',
      runs: [
        run(1),
        run(2, { outcome: 'error', message: 'throttled' }),
        run(3, { outcome: 'error', message: 'throttled' }),
        run(4, { outcome: 'error', message: 'access denied' }),
      ],
      expect: [
        ['run-4', 0],
        ['run-2', 1],
        ['run-1', 0],
      ],
    },
    {
      reason: 'a new revision is a new entry',
      runs: [run(1), run(2, { revision: 'sha-2' })],
      expect: [
        ['run-2', 0],
        ['run-1', 0],
      ],
    },
  ];
  for (const { reason, runs, expect } of cases) {
    const history = runs.reduce<HistoryEntry[]>((kept, entry) => appendHistory(kept, entry), []);
    assert.deepStrictEqual(
      history.map((entry) => [entry.reconcileId, entry.repeats]),
      expect,
      reason,
    );
  }
  const folded = [run(1), run(2)].reduce<HistoryEntry[]>((kept, e) => appendHistory(kept, e), []);
  assert.equal(folded[0]?.lastAt, new Date(2000).toISOString());
});

test('appendHistory keeps the newest entries up to the limit', () => {
  let history: HistoryEntry[] = [];
  for (let at = 1; at <= 60; at++) {
    const entry = run(at, {
      result: result([{ address: `log-group.g${at}`, action: 'create', elapsedMs: 1 }]),
    });
    history = appendHistory(history, entry);
  }
  assert.equal(history.length, 50);
  assert.deepStrictEqual(
    [history[0]?.reconcileId, history.at(-1)?.reconcileId],
    ['run-60', 'run-11'],
  );
  assert.equal(appendHistory(history, run(61), 3).length, 3);
});
