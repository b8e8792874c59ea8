import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fingerprints,
  hashOf,
  parseSavedPlan,
  type SavedPlan,
  stableJson,
  staleReason,
} from './saved.ts';
import { PLAN_FORMAT_VERSION, type Plan } from './types.ts';

const plan: Plan = {
  formatVersion: PLAN_FORMAT_VERSION,
  stacks: [
    {
      name: 'web',
      region: 'us-west-2',
      changes: [
        { address: 'vpc.main', kind: 'vpc', action: 'create', reason: 'not found', fields: [] },
      ],
    },
  ],
  summary: { add: 1, change: 0, destroy: 0, replace: 0, noOp: 0 },
};
const observed = [
  {
    stack: 'web',
    address: 'log-group.app',
    kind: 'log-group',
    id: '/app',
    properties: { retentionDays: 7 },
    tags: {},
  },
];

function saved(): SavedPlan {
  return {
    kind: 'reconciler-saved-plan',
    version: 1,
    createdAt: '2026-12-02T00:00:00.000Z',
    paths: ['/specs'],
    stacks: [],
    specs: { web: 'a' },
    observed: fingerprints(observed),
    plan,
  };
}

test('stable JSON ignores key order, so equal values hash equally', () => {
  assert.equal(stableJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
  assert.equal(hashOf({ a: 1, b: 2 }), hashOf({ b: 2, a: 1 }));
  assert.notEqual(hashOf({ a: 1 }), hashOf({ a: 2 }));
});

test('a saved plan holds while specs, observed resources and the plan are the same', () => {
  const now = { specs: { web: 'a' }, observed: fingerprints(observed), plan };
  assert.equal(staleReason(saved(), now), undefined);
});

test('a saved plan is stale when a spec, a live resource or the plan changed', () => {
  const base = { specs: { web: 'a' }, observed: fingerprints(observed), plan };
  assert.match(
    staleReason(saved(), { ...base, specs: { web: 'b' } }) ?? '',
    /spec of stack web changed/,
  );
  const drifted = [{ ...observed[0]!, properties: { retentionDays: 30 } }];
  assert.match(
    staleReason(saved(), { ...base, observed: fingerprints(drifted) }) ?? '',
    /web\/log-group\.app changed in AWS/,
  );
  assert.match(
    staleReason(saved(), { ...base, observed: {} }) ?? '',
    /web\/log-group\.app \(gone\)/,
  );
  const other: Plan = { ...plan, stacks: [{ ...plan.stacks[0]!, changes: [] }] };
  assert.match(staleReason(saved(), { ...base, plan: other }) ?? '', /plan computed now differs/);
});

test('parseSavedPlan refuses what is not a saved plan, naming the file', () => {
  assert.throws(() => parseSavedPlan('nope', 'p.plan'), /p\.plan is not a saved plan \(not JSON\)/);
  assert.throws(() => parseSavedPlan('{"kind":"x"}', 'p.plan'), /p\.plan is not a saved plan/);
  assert.throws(
    () => parseSavedPlan('{"kind":"reconciler-saved-plan","version":9}', 'p.plan'),
    /format 9, this reconciler reads 1/,
  );
});
