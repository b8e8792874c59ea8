import { type DashboardBody, type DashboardWidget, dashboardName } from '../resources/dashboard.ts';
import type { AlarmDimensions } from '../resources/metric-alarm.ts';
import type { DesiredResource } from '../resources/types.ts';
import type { ResolvedMonitoring, ResolvedStack } from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';
import { dimensions } from './metric-dimensions.ts';

/** WIDTH and HEIGHT of the stack's own graphs: two a row on CloudWatch's 24-column grid. */
const WIDTH = 12;
const HEIGHT = 6;

/** GraphLine is one metric of a graph: namespace, name, dimensions, and how to draw it. */
type GraphLine = [
  namespace: string,
  metricName: string,
  dims: AlarmDimensions,
  options: Record<string, string>,
];

/** metricLine is a widget's metric array: `[namespace, name, dim, value, ..., { stat, label }]`. */
function metricLine([namespace, metricName, dims, options]: GraphLine): unknown[] {
  const pairs = Object.keys(dims)
    .sort()
    .flatMap((name) => [name, dims[name]]);
  return [namespace, metricName, ...pairs, options];
}

/** graph is a time-series widget of metric lines, placed by the caller. */
function graph(
  stack: ResolvedStack,
  title: string,
  lines: GraphLine[],
  extra: Record<string, unknown> = {},
) {
  return {
    type: 'metric',
    properties: {
      title,
      region: stack.region,
      view: 'timeSeries',
      period: 60,
      metrics: lines.map(metricLine),
      ...extra,
    },
  };
}

/** serviceGraphs: a load-balanced service's requests, latency and 5xx errors, then every service's tasks and scaling. */
function serviceGraphs(stack: ResolvedStack) {
  return (stack.services ?? []).flatMap((service) => {
    const name = service.name;
    const tasks = dimensions.service(name);
    const insights = 'ECS/ContainerInsights';
    const balanced = service.loadBalancer && stack.loadBalancer;
    const target = dimensions.targetGroup(name);
    const elb = 'AWS/ApplicationELB';
    return [
      ...(balanced
        ? [
            graph(stack, `${name}: requests`, [
              [elb, 'RequestCount', target, { stat: 'Sum', label: 'requests' }],
            ]),
            graph(stack, `${name}: latency (seconds)`, [
              [elb, 'TargetResponseTime', target, { stat: 'p50', label: 'p50' }],
              [elb, 'TargetResponseTime', target, { stat: 'p99', label: 'p99' }],
            ]),
            graph(stack, `${name}: 5xx errors`, [
              [elb, 'HTTPCode_Target_5XX_Count', target, { stat: 'Sum', label: 'target 5xx' }],
            ]),
          ]
        : []),
      graph(stack, `${name}: tasks`, [
        [insights, 'RunningTaskCount', tasks, { stat: 'Average', label: 'running' }],
        [insights, 'DesiredTaskCount', tasks, { stat: 'Average', label: 'desired' }],
      ]),
      graph(
        stack,
        `${name}: scaling activity (desired tasks)`,
        [[insights, 'DesiredTaskCount', tasks, { stat: 'Maximum', label: 'desired' }]],
        { view: 'timeSeries', stacked: false, period: 300 },
      ),
    ];
  });
}

/** databaseGraphs: the database's CPU, connections and free storage. */
function databaseGraphs(stack: ResolvedStack) {
  if (!stack.database) return [];
  const db = dimensions.database();
  const rds = 'AWS/RDS';
  return [
    graph(stack, 'database: CPU (percent)', [
      [rds, 'CPUUtilization', db, { stat: 'Average', label: 'CPU' }],
    ]),
    graph(stack, 'database: connections', [
      [rds, 'DatabaseConnections', db, { stat: 'Maximum', label: 'connections' }],
    ]),
    graph(stack, 'database: free storage (bytes)', [
      [rds, 'FreeStorageSpace', db, { stat: 'Minimum', label: 'free' }],
    ]),
  ];
}

/**
 * dashboardBody lays the stack's graphs out two a row, each with its position (so their order is
 * not part of the dashboard), then appends the spec's own widgets as they are written.
 */
export function dashboardBody(stack: ResolvedStack, monitoring: ResolvedMonitoring): DashboardBody {
  const placed: DashboardWidget[] = [...serviceGraphs(stack), ...databaseGraphs(stack)].map(
    (widget, index) => ({
      ...widget,
      x: (index % 2) * WIDTH,
      y: Math.floor(index / 2) * HEIGHT,
      width: WIDTH,
      height: HEIGHT,
    }),
  );
  const own = (monitoring.widgets ?? []).map((widget) => ({ ...widget }) as DashboardWidget);
  return { widgets: [...placed, ...own] };
}

/** expandDashboard returns the stack's dashboard unless monitoring.dashboard is false. */
export function expandDashboard(
  stack: ResolvedStack,
  monitoring: ResolvedMonitoring,
): DesiredResource[] {
  if (!monitoring.dashboard) return [];
  return [
    desired(stack, addresses.dashboard(), {
      name: dashboardName(stack.name, stack.region),
      body: dashboardBody(stack, monitoring),
    }),
  ];
}
