import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ScalableTargetProperties,
  scalableTargetHandler,
  toSchedule,
} from './scalable-target.ts';

const morning = {
  name: 'morning',
  schedule: 'cron(0 7 ? * MON-FRI *)',
  timezone: 'Europe/Berlin',
  minCapacity: 4,
  maxCapacity: 8,
};
const night = { ...morning, name: 'night', schedule: 'cron(0 22 * * ? *)', minCapacity: 1 };
const base: ScalableTargetProperties = {
  resourceId: 'service/shop/api',
  minCapacity: 2,
  maxCapacity: 6,
  scheduledActions: [morning, night],
};
const tags = { 'reconciler:stack': 'shop', 'reconciler:address': 'scalable-target.api' };

test('scalable-target diff', () => {
  const cases: Array<{
    reason: string;
    observed: ScalableTargetProperties;
    expected: Array<[string, boolean]>;
  }> = [
    { reason: 'the same target has no changes', observed: base, expected: [] },
    {
      reason: 'AWS lists the scheduled actions in another order: no change',
      observed: { ...base, scheduledActions: [night, morning] },
      expected: [],
    },
    {
      reason: 'bounds changed by hand are registered again in place',
      observed: { ...base, minCapacity: 1, maxCapacity: 10 },
      expected: [
        ['maxCapacity', false],
        ['minCapacity', false],
      ],
    },
    {
      reason: 'a scheduled action deleted by hand is put back in place',
      observed: { ...base, scheduledActions: [night] },
      expected: [['scheduledActions[1]', false]],
    },
    {
      reason: 'another service is another target: replace',
      observed: { ...base, resourceId: 'service/shop/web' },
      expected: [['resourceId', true]],
    },
  ];
  for (const { reason, observed, expected } of cases) {
    const changes = scalableTargetHandler.diff(base, observed, tags, tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('toSchedule reads a described scheduled action; no time zone is UTC', () => {
  assert.deepStrictEqual(
    toSchedule({
      ScheduledActionName: 'night',
      ServiceNamespace: 'ecs',
      ResourceId: 'service/shop/api',
      ScalableDimension: 'ecs:service:DesiredCount',
      Schedule: 'rate(1 day)',
      ScheduledActionARN: 'arn:x',
      CreationTime: new Date(0),
      ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 3 },
    }),
    { name: 'night', schedule: 'rate(1 day)', timezone: 'UTC', minCapacity: 1, maxCapacity: 3 },
  );
});
