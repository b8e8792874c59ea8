import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  alarmNameOf,
  type MetricAlarmProperties,
  metricAlarmHandler,
  observedAlarmProperties,
  putAlarmInput,
} from './metric-alarm.ts';

const topic = 'arn:aws:sns:us-west-2:123456789012:shop-alarms';
const single: MetricAlarmProperties = {
  name: 'shop-database-cpu',
  description: 'database: CPU percent',
  comparisonOperator: 'GreaterThanThreshold',
  threshold: 80,
  evaluationPeriods: 3,
  treatMissingData: 'missing',
  alarmActions: [topic],
  okActions: [topic],
  namespace: 'AWS/RDS',
  metricName: 'CPUUtilization',
  dimensions: { DBInstanceIdentifier: 'shop-db' },
  period: 300,
  statistic: 'Average',
};
const math: MetricAlarmProperties = {
  name: 'shop-api-running-tasks',
  comparisonOperator: 'GreaterThanThreshold',
  threshold: 0,
  evaluationPeriods: 5,
  treatMissingData: 'missing',
  alarmActions: [topic],
  okActions: [topic],
  metrics: [
    {
      id: 'running',
      returnData: false,
      metric: {
        namespace: 'ECS/ContainerInsights',
        metricName: 'RunningTaskCount',
        dimensions: { ClusterName: 'shop', ServiceName: 'api' },
        period: 60,
        stat: 'Average',
      },
    },
    { id: 'missing', returnData: true, label: 'tasks missing', expression: 'desired - running' },
  ],
};

/** asDescribed is what DescribeAlarms answers for an alarm PutMetricAlarm made from `input`. */
function asDescribed(input: ReturnType<typeof putAlarmInput>): MetricAlarm {
  const {
    Tags: _tags,
    ActionsEnabled: _enabled,
    ...alarm
  } = input as typeof input & {
    Tags?: unknown;
  };
  return {
    ...alarm,
    AlarmArn: `arn:aws:cloudwatch:us-west-2:123456789012:alarm:${input.AlarmName}`,
  };
}

test('an alarm read back after PutMetricAlarm is the desired one (one metric and metric math)', () => {
  for (const properties of [single, math]) {
    const desired = {
      address: `metric-alarm.${properties.name}`,
      kind: 'metric-alarm',
      stack: 'shop',
      region: 'us-west-2',
      properties,
      tags: {},
      dependsOn: [],
      deletionPolicy: 'delete' as const,
    };
    assert.deepStrictEqual(
      observedAlarmProperties(asDescribed(putAlarmInput(desired))),
      properties,
      properties.name,
    );
  }
});

test('metric-alarm diff', () => {
  const tags = { 'reconciler:stack': 'shop' };
  const cases: Array<{
    reason: string;
    observed: MetricAlarmProperties;
    desired: MetricAlarmProperties;
    expected: Array<[string, boolean]>;
  }> = [
    { reason: 'identical alarms have no changes', observed: single, desired: single, expected: [] },
    {
      reason: 'a threshold changed out of band is an update of threshold',
      observed: { ...single, threshold: 95 },
      desired: single,
      expected: [['threshold', false]],
    },
    {
      reason: 'actions in another order are the same',
      observed: { ...single, alarmActions: ['b', 'a'] },
      desired: { ...single, alarmActions: ['a', 'b'] },
      expected: [],
    },
    {
      reason: 'a new name is another alarm',
      observed: single,
      desired: { ...single, name: 'shop-db-cpu' },
      expected: [['name', true]],
    },
    {
      reason: 'a changed expression is an update of that query',
      observed: math,
      desired: {
        ...math,
        metrics: [math.metrics![0]!, { ...math.metrics![1]!, expression: 'desired - running - 1' }],
      },
      expected: [['metrics[1].expression', false]],
    },
  ];
  for (const { reason, observed, desired, expected } of cases) {
    const changes = metricAlarmHandler.diff(desired, observed, tags, tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('alarmNameOf reads the name of an alarm ARN', () => {
  assert.equal(
    alarmNameOf('arn:aws:cloudwatch:us-west-2:123456789012:alarm:shop-db-cpu'),
    'shop-db-cpu',
  );
  assert.equal(alarmNameOf('arn:aws:cloudwatch::123456789012:dashboard/shop'), '');
});
