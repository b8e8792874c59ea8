import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReconcileResult } from '../engine/reconcile.ts';
import { stackResult } from './batch.ts';

const change = (address: string, action: 'no-op' | 'update') => ({
  address,
  kind: address.split('.')[0] ?? '',
  action,
  reason: 'test',
  fields: [],
});

test('stackResult is one stack of a plan of several, with plain addresses', () => {
  const result: ReconcileResult = {
    plan: {
      formatVersion: '1.0',
      stacks: [
        { name: 'aa', region: 'us-west-2', changes: [change('vpc.main', 'no-op')] },
        { name: 'bb', region: 'us-west-2', changes: [change('vpc.main', 'update')] },
      ],
      summary: { add: 0, change: 1, destroy: 0, replace: 0, noOp: 1 },
    },
    applied: [],
    failures: [],
    skipped: [],
    pending: ['aa/nat-gateway.a', 'bb/nat-gateway.b'],
    waiting: [{ address: 'bb/route-table.a', reason: 'waiting for nat-gateway.b', stack: 'bb' }],
    observed: [
      {
        stack: 'aa',
        address: 'vpc.main',
        kind: 'vpc',
        id: 'vpc-1',
        status: 'ready',
        attributes: {},
      },
      {
        stack: 'bb',
        address: 'vpc.main',
        kind: 'vpc',
        id: 'vpc-2',
        status: 'ready',
        attributes: {},
      },
    ],
  };
  const bb = stackResult(result, 'bb');
  assert.deepStrictEqual(
    bb.plan.stacks.map((stack) => stack.name),
    ['bb'],
  );
  assert.deepStrictEqual(bb.plan.summary, { add: 0, change: 1, destroy: 0, replace: 0, noOp: 0 });
  assert.deepStrictEqual(bb.pending, ['nat-gateway.b']);
  assert.deepStrictEqual(
    bb.waiting?.map((w) => w.address),
    ['route-table.a'],
  );
  assert.deepStrictEqual(
    bb.observed?.map((o) => o.id),
    ['vpc-2'],
  );
  const aa = stackResult(result, 'aa');
  assert.deepStrictEqual([aa.pending, aa.waiting], [['nat-gateway.a'], []]);
});
