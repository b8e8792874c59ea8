import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  available,
  driftDetected,
  initialConditions,
  pending,
  reconcileError,
  setCondition,
} from './conditions.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:01:00Z');

test('setCondition keeps the transition time unless the status changes', () => {
  const start = initialConditions(t0);
  const cases = [
    {
      reason: 'Unknown -> False is a transition',
      before: start,
      next: pending(['nat-gateway.a']),
      expected: { status: 'False', lastTransitionTime: t1.toISOString() },
    },
    {
      reason: 'False -> False with a new message keeps the time',
      before: setCondition(start, pending(['nat-gateway.a']), t0),
      next: pending(['db-instance.main']),
      expected: { status: 'False', lastTransitionTime: t0.toISOString() },
    },
    {
      reason: 'False -> True is a transition',
      before: setCondition(start, pending(['nat-gateway.a']), t0),
      next: available(),
      expected: { status: 'True', lastTransitionTime: t1.toISOString() },
    },
  ];
  for (const { reason, before, next, expected } of cases) {
    const ready = setCondition(before, next, t1).find((c) => c.type === 'Ready');
    assert.deepStrictEqual(
      { status: ready?.status, lastTransitionTime: ready?.lastTransitionTime },
      expected,
      reason,
    );
  }
});

test('conditions stay in Ready, Synced, Drifted order, one of each', () => {
  let conditions = initialConditions(t0);
  conditions = setCondition(conditions, driftDetected(['vpc.main']), t1);
  conditions = setCondition(conditions, reconcileError(new Error('access denied')), t1);
  conditions = setCondition(conditions, available(), t1);
  assert.deepStrictEqual(
    conditions.map((c) => [c.type, c.status, c.reason]),
    [
      ['Ready', 'True', 'Available'],
      ['Synced', 'False', 'ReconcileError'],
      ['Drifted', 'True', 'DriftDetected'],
    ],
  );
});

test('messages list at most ten addresses', () => {
  const addresses = Array.from({ length: 12 }, (_, i) => `subnet.s${i}`);
  assert.match(pending(addresses).message, /subnet\.s9 and 2 more$/);
});
