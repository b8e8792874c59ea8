import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DashboardProperties } from '../resources/dashboard.ts';
import type { MetricAlarmProperties } from '../resources/metric-alarm.ts';
import { ref } from '../resources/types.ts';
import { withDefaults } from '../spec/defaults.ts';
import type { Monitoring, Stack } from '../spec/types.generated.ts';
import { expandMonitoring } from './expand-monitoring.ts';

function stack(monitoring: Monitoring | undefined, parts: Partial<Stack> = {}): Stack {
  return {
    name: 'demo',
    region: 'us-west-2',
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a'],
      publicSubnets: ['10.0.0.0/24'],
      privateSubnets: ['10.0.10.0/24'],
    },
    loadBalancer: { listeners: [{ port: 80, protocol: 'HTTP' }] },
    services: [
      { name: 'api', image: 'nginx:1', port: 3000, loadBalancer: {} },
      { name: 'worker', image: 'nginx:1', port: 3000 },
    ],
    database: { engineVersion: '16.4', instanceClass: 'db.t4g.micro' },
    ...parts,
    ...(monitoring ? { monitoring } : {}),
  } as Stack;
}

const addressesOf = (spec: Stack) =>
  expandMonitoring(withDefaults(spec)).map((resource) => resource.address);

test('expandMonitoring: which alarms each part of the stack gets', () => {
  const cases: Array<{ reason: string; spec: Stack; expected: string[] }> = [
    { reason: 'no monitoring section: nothing', spec: stack(undefined), expected: [] },
    {
      reason:
        'defaults: target alarms for the load-balanced service, task alarms for both, the database',
      spec: stack({
        notifications: { subscriptions: [{ protocol: 'email', endpoint: 'a@b.io' }] },
      }),
      expected: [
        'sns-topic.alarms',
        'sns-subscription.email-a@b.io',
        'metric-alarm.api-target-5xx-rate',
        'metric-alarm.api-target-response-time-p99',
        'metric-alarm.api-unhealthy-hosts',
        'metric-alarm.api-running-tasks',
        'metric-alarm.worker-running-tasks',
        'metric-alarm.database-cpu',
        'metric-alarm.database-free-storage',
        'metric-alarm.database-connections',
        'dashboard.main',
      ],
    },
    {
      reason:
        'enabled: false leaves an alarm out; dashboard: false the dashboard; no database, no database alarms',
      spec: stack(
        {
          alarms: { runningTasks: { enabled: false }, unhealthyHosts: { enabled: false } },
          dashboard: false,
        },
        { database: undefined },
      ),
      expected: [
        'sns-topic.alarms',
        'metric-alarm.api-target-5xx-rate',
        'metric-alarm.api-target-response-time-p99',
      ],
    },
  ];
  for (const { reason, spec, expected } of cases) {
    if (!spec.database) delete spec.database;
    assert.deepStrictEqual(addressesOf(spec), expected, reason);
  }
});

test('expandMonitoring: overrides, units, dimensions and actions of the alarms', () => {
  const resources = expandMonitoring(
    withDefaults(
      stack({
        notifications: { topicName: 'pager' },
        alarms: { databaseFreeStorage: { threshold: 5, period: 600, evaluationPeriods: 2 } },
      }),
    ),
  );
  const alarm = (address: string) =>
    resources.find((resource) => resource.address === address)?.properties as MetricAlarmProperties;
  assert.deepStrictEqual(
    resources.find((resource) => resource.address === 'sns-topic.alarms')?.properties,
    { name: 'pager' },
  );
  const storage = alarm('metric-alarm.database-free-storage');
  assert.equal(storage.name, 'demo-database-free-storage');
  assert.equal(storage.threshold, 5 * 1024 ** 3, 'GiB in the spec, bytes in CloudWatch');
  assert.equal(storage.period, 600);
  assert.equal(storage.evaluationPeriods, 2);
  assert.equal(storage.comparisonOperator, 'LessThanThreshold');
  assert.deepStrictEqual(storage.dimensions, {
    DBInstanceIdentifier: ref('db-instance.main', 'identifier'),
  });
  assert.deepStrictEqual(storage.alarmActions, [ref('sns-topic.alarms', 'arn')]);
  assert.deepStrictEqual(storage.okActions, [ref('sns-topic.alarms', 'arn')]);

  const p99 = alarm('metric-alarm.api-target-response-time-p99');
  assert.equal(p99.extendedStatistic, 'p99');
  assert.equal(p99.threshold, 1.5);
  assert.deepStrictEqual(p99.dimensions, {
    LoadBalancer: ref('load-balancer.main', 'metricDimension'),
    TargetGroup: ref('target-group.api', 'metricDimension'),
  });

  const rate = alarm('metric-alarm.api-target-5xx-rate');
  assert.equal(rate.period, undefined, 'a metric-math alarm has its periods on its metrics');
  assert.deepStrictEqual(
    rate.metrics?.map((query) => [
      query.id,
      query.returnData,
      query.metric?.metricName ?? query.expression,
    ]),
    [
      ['errors', false, 'HTTPCode_Target_5XX_Count'],
      ['requests', false, 'RequestCount'],
      ['rate', true, 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)'],
    ],
  );
  const tasks = alarm('metric-alarm.worker-running-tasks');
  assert.deepStrictEqual(tasks.metrics?.[0]?.metric?.dimensions, {
    ClusterName: ref('ecs-cluster.main', 'name'),
    ServiceName: ref('ecs-service.worker', 'name'),
  });
});

test('expandMonitoring: the dashboard places its graphs and keeps the spec widgets after them', () => {
  const widget = { type: 'text' as const, properties: { markdown: '# runbook' } };
  const resources = expandMonitoring(withDefaults(stack({ widgets: [widget] })));
  const dashboard = resources.find((resource) => resource.address === 'dashboard.main')
    ?.properties as DashboardProperties;
  assert.equal(dashboard.name, 'demo-us-west-2');
  const widgets = dashboard.body.widgets;
  assert.deepStrictEqual(
    widgets.map((w) => [w.properties.title ?? w.properties.markdown, w.x, w.y]),
    [
      ['api: requests', 0, 0],
      ['api: latency (seconds)', 12, 0],
      ['api: 5xx errors', 0, 6],
      ['api: tasks', 12, 6],
      ['api: scaling activity (desired tasks)', 0, 12],
      ['worker: tasks', 12, 12],
      ['worker: scaling activity (desired tasks)', 0, 18],
      ['database: CPU (percent)', 12, 18],
      ['database: connections', 0, 24],
      ['database: free storage (bytes)', 12, 24],
      ['# runbook', undefined, undefined],
    ],
  );
  assert.deepStrictEqual(widgets[1]?.properties.metrics, [
    [
      'AWS/ApplicationELB',
      'TargetResponseTime',
      'LoadBalancer',
      ref('load-balancer.main', 'metricDimension'),
      'TargetGroup',
      ref('target-group.api', 'metricDimension'),
      { stat: 'p50', label: 'p50' },
    ],
    [
      'AWS/ApplicationELB',
      'TargetResponseTime',
      'LoadBalancer',
      ref('load-balancer.main', 'metricDimension'),
      'TargetGroup',
      ref('target-group.api', 'metricDimension'),
      { stat: 'p99', label: 'p99' },
    ],
  ]);
});
