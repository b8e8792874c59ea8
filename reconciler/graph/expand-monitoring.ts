import type {
  AlarmDimensions,
  AlarmQuery,
  MetricAlarmProperties,
} from '../resources/metric-alarm.ts';
import {
  type SnsSubscriptionProperties,
  subscriptionAddress,
} from '../resources/sns-subscription.ts';
import type { SnsTopicProperties } from '../resources/sns-topic.ts';
import { type DesiredResource, ref } from '../resources/types.ts';
import type {
  ResolvedMonitoring,
  ResolvedService,
  ResolvedStack,
} from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';
import { expandDashboard } from './expand-dashboard.ts';
import { dimensions } from './metric-dimensions.ts';

/** AlarmSettings is one alarm's overridable part of the spec, defaults filled in. */
type AlarmSettings = ResolvedMonitoring['alarms']['targetErrorRate'];

/** GIB is bytes per GiB: FreeStorageSpace is in bytes, the spec's threshold in GiB. */
const GIB = 1024 ** 3;

/** alarmTopicName is the SNS topic of the stack's alarms: the spec's, or `<stack>-alarms`. */
export function alarmTopicName(stack: ResolvedStack, monitoring: ResolvedMonitoring): string {
  return monitoring.notifications.topicName ?? `${stack.name}-alarms`;
}

/** metric is one metric-math query line over a metric (`returnData` false: it feeds the expression). */
function metric(
  id: string,
  namespace: string,
  metricName: string,
  dims: AlarmDimensions,
  settings: AlarmSettings,
  stat: string,
): AlarmQuery {
  return {
    id,
    returnData: false,
    metric: { namespace, metricName, dimensions: dims, period: settings.period, stat },
  };
}

type AlarmShape = Omit<
  MetricAlarmProperties,
  'name' | 'threshold' | 'evaluationPeriods' | 'alarmActions' | 'okActions' | 'period'
> & { period?: boolean };

/** serviceAlarms are the alarms of one service: its target group's when load-balanced, its tasks'. */
function serviceAlarms(
  stack: ResolvedStack,
  service: ResolvedService,
  alarms: ResolvedMonitoring['alarms'],
) {
  const name = service.name;
  const out: Array<[string, AlarmSettings, AlarmShape]> = [];
  if (service.loadBalancer && stack.loadBalancer) {
    const target = dimensions.targetGroup(name);
    out.push(
      [
        `${name}-target-5xx-rate`,
        alarms.targetErrorRate,
        {
          description: `${name}: percent of requests its targets answer with a 5xx status`,
          comparisonOperator: 'GreaterThanThreshold',
          treatMissingData: 'notBreaching',
          metrics: [
            metric(
              'errors',
              'AWS/ApplicationELB',
              'HTTPCode_Target_5XX_Count',
              target,
              alarms.targetErrorRate,
              'Sum',
            ),
            metric(
              'requests',
              'AWS/ApplicationELB',
              'RequestCount',
              target,
              alarms.targetErrorRate,
              'Sum',
            ),
            {
              id: 'rate',
              returnData: true,
              label: '5xx percent of requests',
              expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
            },
          ],
        },
      ],
      [
        `${name}-target-response-time-p99`,
        alarms.targetResponseTime,
        {
          description: `${name}: p99 of the target response time, seconds`,
          comparisonOperator: 'GreaterThanThreshold',
          treatMissingData: 'notBreaching',
          namespace: 'AWS/ApplicationELB',
          metricName: 'TargetResponseTime',
          dimensions: target,
          extendedStatistic: 'p99',
          period: true,
        },
      ],
      [
        `${name}-unhealthy-hosts`,
        alarms.unhealthyHosts,
        {
          description: `${name}: unhealthy targets in its target group`,
          comparisonOperator: 'GreaterThanThreshold',
          treatMissingData: 'notBreaching',
          namespace: 'AWS/ApplicationELB',
          metricName: 'UnHealthyHostCount',
          dimensions: target,
          statistic: 'Maximum',
          period: true,
        },
      ],
    );
  }
  const tasks = dimensions.service(name);
  const insights = 'ECS/ContainerInsights';
  out.push([
    `${name}-running-tasks`,
    alarms.runningTasks,
    {
      description: `${name}: running tasks below the desired count`,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'missing',
      metrics: [
        metric('running', insights, 'RunningTaskCount', tasks, alarms.runningTasks, 'Average'),
        metric('desired', insights, 'DesiredTaskCount', tasks, alarms.runningTasks, 'Average'),
        {
          id: 'missing',
          returnData: true,
          label: 'tasks missing',
          expression: 'desired - running',
        },
      ],
    },
  ]);
  return out;
}

/** databaseAlarms are the database's CPU, free storage and connections alarms. */
function databaseAlarms(stack: ResolvedStack, alarms: ResolvedMonitoring['alarms']) {
  if (!stack.database) return [];
  const db = dimensions.database();
  const rds = { namespace: 'AWS/RDS', dimensions: db, treatMissingData: 'missing', period: true };
  const out: Array<[string, AlarmSettings, AlarmShape]> = [
    [
      'database-cpu',
      alarms.databaseCpu,
      {
        ...rds,
        description: 'database: CPU percent',
        comparisonOperator: 'GreaterThanThreshold',
        metricName: 'CPUUtilization',
        statistic: 'Average',
      },
    ],
    [
      'database-free-storage',
      { ...alarms.databaseFreeStorage, threshold: alarms.databaseFreeStorage.threshold * GIB },
      {
        ...rds,
        description: 'database: free storage, bytes',
        comparisonOperator: 'LessThanThreshold',
        metricName: 'FreeStorageSpace',
        statistic: 'Minimum',
      },
    ],
    [
      'database-connections',
      alarms.databaseConnections,
      {
        ...rds,
        description: 'database: open connections',
        comparisonOperator: 'GreaterThanThreshold',
        metricName: 'DatabaseConnections',
        statistic: 'Maximum',
      },
    ],
  ];
  return out;
}

/**
 * expandMonitoring returns, when the stack has a monitoring section: the SNS topic the alarms
 * notify and its subscriptions, one metric alarm per enabled alarm and part it watches (the
 * service's target group and tasks, the database), and the stack's dashboard. Dimensions are
 * Refs to the resources they name, so the alarms come after them.
 */
export function expandMonitoring(stack: ResolvedStack): DesiredResource[] {
  const monitoring = stack.monitoring;
  if (!monitoring) return [];
  const topicAddress = addresses.alarmTopic();
  const topic: SnsTopicProperties = { name: alarmTopicName(stack, monitoring) };
  const subscriptions = monitoring.notifications.subscriptions.map((subscription) => {
    const properties: SnsSubscriptionProperties = {
      topicArn: ref(topicAddress, 'arn'),
      protocol: subscription.protocol,
      endpoint: subscription.endpoint,
    };
    return desired(
      stack,
      subscriptionAddress(subscription.protocol, subscription.endpoint),
      properties,
    );
  });
  const actions = [ref(topicAddress, 'arn')];
  const alarms = [
    ...(stack.services ?? []).flatMap((service) =>
      serviceAlarms(stack, service, monitoring.alarms),
    ),
    ...databaseAlarms(stack, monitoring.alarms),
  ]
    .filter(([, settings]) => settings.enabled)
    .map(([name, settings, { period, ...shape }]) => {
      const properties: MetricAlarmProperties = {
        name: `${stack.name}-${name}`,
        ...shape,
        threshold: settings.threshold,
        evaluationPeriods: settings.evaluationPeriods,
        alarmActions: actions,
        okActions: actions,
        ...(period ? { period: settings.period } : {}),
      };
      return desired(stack, addresses.metricAlarm(name), properties);
    });
  return [
    desired(stack, topicAddress, topic),
    ...subscriptions,
    ...alarms,
    ...expandDashboard(stack, monitoring),
  ];
}
