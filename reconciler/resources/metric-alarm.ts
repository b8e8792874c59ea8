import {
  DeleteAlarmsCommand,
  type Dimension,
  type MetricAlarm,
  type MetricDataQuery,
  PutMetricAlarmCommand,
  paginateDescribeAlarms,
} from '@aws-sdk/client-cloudwatch';
import type { AwsClients } from '../aws/clients.ts';
import { type Tags, tagMapToList } from '../aws/tags.ts';
import { chunk } from '../lib/chunk.ts';
import { batcher } from './kit/batch.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { required } from './kit/errors.ts';
import { compact, sortingSets } from './kit/json.ts';
import { foundByName } from './kit/names.ts';
import { collect } from './kit/paginate.ts';
import { resolved } from './kit/refs.ts';
import { cloudwatchTagging, cloudwatchTags } from './kit/tagging/cloudwatch.ts';
import { readTaggedArns } from './kit/tagging/resource-groups.ts';
import type { DesiredResource, FieldRule, Ref, ResourceContext } from './types.ts';

/** AlarmDimensions name the metric's instance: `{ LoadBalancer: 'app/shop/50dc6c495c0c9188' }`. */
export type AlarmDimensions = Record<string, string | Ref>;

/** AlarmMetric is one CloudWatch metric with the statistic an alarm or a query takes of it. */
export type AlarmMetric = {
  namespace: string;
  metricName: string;
  dimensions: AlarmDimensions;
  period: number;
  stat: string;
};

/** AlarmQuery is one line of a metric-math alarm: a metric (`m1`) or an expression over them. */
export type AlarmQuery = {
  id: string;
  returnData: boolean;
  expression?: string;
  label?: string;
  metric?: AlarmMetric;
};

/**
 * MetricAlarmProperties is a CloudWatch metric alarm: either one metric (namespace, metricName,
 * dimensions, period, statistic or extendedStatistic) or metric math (`metrics`, exactly one of
 * them with returnData true).
 */
export type MetricAlarmProperties = {
  name: string;
  description?: string;
  comparisonOperator: string;
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  treatMissingData: string;
  alarmActions: (string | Ref)[];
  okActions: (string | Ref)[];
  namespace?: string;
  metricName?: string;
  dimensions?: AlarmDimensions;
  period?: number;
  statistic?: string;
  extendedStatistic?: string;
  metrics?: AlarmQuery[];
};

/**
 * METRIC_ALARM_FIELDS: the name is the identity; PutMetricAlarm rewrites every other field at
 * once, so all of them change in place through the one update.
 */
export const METRIC_ALARM_FIELDS: Record<string, FieldRule> = {
  name: 'replace',
  description: 'update',
  comparisonOperator: 'update',
  threshold: 'update',
  evaluationPeriods: 'update',
  datapointsToAlarm: 'update',
  treatMissingData: 'update',
  alarmActions: 'update',
  okActions: 'update',
  namespace: 'update',
  metricName: 'update',
  dimensions: 'update',
  period: 'update',
  statistic: 'update',
  extendedStatistic: 'update',
  metrics: 'update',
};

/** DESCRIBE_ALARMS_NAMES is the most alarm names one DescribeAlarms (or DeleteAlarms) takes. */
const DESCRIBE_ALARMS_NAMES = 100;

/** alarmNameOf is the name in an alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>). */
export function alarmNameOf(arn: string): string {
  const marker = ':alarm:';
  const at = arn.indexOf(marker);
  return at < 0 ? '' : arn.slice(at + marker.length);
}

function dimensionMap(dimensions: readonly Dimension[] | undefined): AlarmDimensions {
  return Object.fromEntries((dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
}

function dimensionList(dimensions: AlarmDimensions, what: string): Dimension[] {
  return Object.keys(dimensions)
    .sort()
    .map((Name) => ({
      Name,
      Value: resolved(dimensions[Name] ?? '', `${what} dimension ${Name}`),
    }));
}

function observedQuery(query: MetricDataQuery): AlarmQuery {
  const stat = query.MetricStat;
  const metric: AlarmMetric | undefined = stat?.Metric
    ? {
        namespace: stat.Metric.Namespace ?? '',
        metricName: stat.Metric.MetricName ?? '',
        dimensions: dimensionMap(stat.Metric.Dimensions),
        period: stat.Period ?? 0,
        stat: stat.Stat ?? '',
      }
    : undefined;
  return compact({
    id: query.Id ?? '',
    // AWS's default: a query whose ReturnData is left out returns data
    returnData: query.ReturnData ?? true,
    expression: query.Expression || undefined,
    label: query.Label || undefined,
    metric,
  });
}

/** observedAlarmProperties normalizes a DescribeAlarms entry to the desired shape. */
export function observedAlarmProperties(alarm: MetricAlarm): MetricAlarmProperties {
  const math = (alarm.Metrics ?? []).length > 0;
  return compact({
    name: alarm.AlarmName ?? '',
    description: alarm.AlarmDescription || undefined,
    comparisonOperator: alarm.ComparisonOperator ?? '',
    threshold: alarm.Threshold ?? 0,
    evaluationPeriods: alarm.EvaluationPeriods ?? 0,
    datapointsToAlarm: alarm.DatapointsToAlarm,
    treatMissingData: alarm.TreatMissingData ?? 'missing',
    alarmActions: [...(alarm.AlarmActions ?? [])],
    okActions: [...(alarm.OKActions ?? [])],
    namespace: alarm.Namespace || undefined,
    metricName: alarm.MetricName || undefined,
    dimensions: math ? undefined : dimensionMap(alarm.Dimensions),
    period: alarm.Period || undefined,
    statistic: alarm.Statistic || undefined,
    extendedStatistic: alarm.ExtendedStatistic || undefined,
    metrics: math ? (alarm.Metrics ?? []).map(observedQuery) : undefined,
  });
}

/** putAlarmInput is the PutMetricAlarm request for desired properties (Refs resolved). */
export function putAlarmInput(desired: DesiredResource<MetricAlarmProperties>, tags?: Tags) {
  const p = desired.properties;
  const what = desired.address;
  const actions = (list: (string | Ref)[], name: string) =>
    list.map((action) => resolved(action, `${what} ${name}`));
  return {
    AlarmName: p.name,
    AlarmDescription: p.description,
    ComparisonOperator: p.comparisonOperator as never,
    Threshold: p.threshold,
    EvaluationPeriods: p.evaluationPeriods,
    DatapointsToAlarm: p.datapointsToAlarm,
    TreatMissingData: p.treatMissingData,
    ActionsEnabled: true,
    AlarmActions: actions(p.alarmActions, 'alarmActions'),
    OKActions: actions(p.okActions, 'okActions'),
    Namespace: p.namespace,
    MetricName: p.metricName,
    Dimensions: p.dimensions ? dimensionList(p.dimensions, what) : undefined,
    Period: p.period,
    Statistic: p.statistic as never,
    ExtendedStatistic: p.extendedStatistic,
    Metrics: p.metrics?.map((query) => ({
      Id: query.id,
      ReturnData: query.returnData,
      Expression: query.expression,
      Label: query.label,
      MetricStat: query.metric && {
        Metric: {
          Namespace: query.metric.namespace,
          MetricName: query.metric.metricName,
          Dimensions: dimensionList(query.metric.dimensions, what),
        },
        Period: query.metric.period,
        Stat: query.metric.stat,
      },
    })),
    ...(tags ? { Tags: tagMapToList(tags) } : {}),
  };
}

type TaggedAlarm = { alarm: MetricAlarm; tags: Tags };

function liveAlarm({ alarm, tags }: TaggedAlarm): Live<MetricAlarmProperties> {
  const name = alarm.AlarmName ?? '';
  return {
    id: name,
    properties: observedAlarmProperties(alarm),
    tags,
    attributes: { arn: alarm.AlarmArn ?? '', name, state: alarm.StateValue ?? '' },
  };
}

/**
 * deleteAlarm deletes alarms the way DeleteAlarms takes them: the deletes of one moment (an
 * apply wave deletes alarms in parallel) go in one call of up to 100 names. DeleteAlarms answers
 * success for names that do not exist.
 */
const deleteAlarm = batcher<AwsClients, string>(DESCRIBE_ALARMS_NAMES, (clients, AlarmNames) =>
  clients.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames })),
);

/** describeAlarms reads metric alarms by name, at most 100 names a call. */
async function describeAlarms(ctx: ResourceContext, names: string[]): Promise<MetricAlarm[]> {
  const pages = chunk(names, DESCRIBE_ALARMS_NAMES).map((AlarmNames) =>
    collect(
      paginateDescribeAlarms(
        { client: ctx.clients.cloudwatch },
        { AlarmNames, AlarmTypes: ['MetricAlarm'] },
      ),
      (page) => page.MetricAlarms,
    ),
  );
  return (await Promise.all(pages)).flat();
}

/**
 * metricAlarmHandler manages CloudWatch metric alarms, identified by name. Observe is one
 * tagging API read of the stacks' alarms and one DescribeAlarms of their names (100 a call),
 * never a read per alarm. PutMetricAlarm creates and rewrites an alarm whole.
 */
export const metricAlarmHandler = defineKind<MetricAlarmProperties, TaggedAlarm>({
  kind: 'metric-alarm',
  fields: METRIC_ALARM_FIELDS,
  after: ['sns-topic', 'load-balancer', 'target-group', 'ecs-service', 'db-instance'],
  tagging: cloudwatchTagging,
  tagTarget: (alarm) => alarm.attributes.arn ?? '',
  normalize: sortingSets('alarmActions', 'okActions'),
  iamActions: {
    read: ['tag:GetResources', 'cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
    write: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
    scope: { arn: 'arn:aws:cloudwatch:*:{account}:alarm:*', create: ['cloudwatch:PutMetricAlarm'] },
  },

  async list(ctx) {
    const tagsByArn = await readTaggedArns(ctx, 'cloudwatch:alarm');
    if (tagsByArn.size === 0) return [];
    const alarms = await describeAlarms(ctx, [...tagsByArn.keys()].map(alarmNameOf));
    return alarms.flatMap((alarm) => {
      const tags = tagsByArn.get(alarm.AlarmArn ?? '');
      return tags ? [{ alarm, tags }] : [];
    });
  },

  toObserved: liveAlarm,

  async create(ctx, desired) {
    await ctx.clients.cloudwatch.send(
      new PutMetricAlarmCommand(putAlarmInput(desired, desired.tags)),
    );
    const [alarm] = await describeAlarms(ctx, [desired.properties.name]);
    const created = required(
      alarm,
      `alarm ${desired.properties.name} is missing right after its creation`,
    );
    return liveAlarm({ alarm: created, tags: desired.tags });
  },

  async update(ctx, desired) {
    // PutMetricAlarm replaces the whole alarm (its tags stay: the kit writes those)
    await ctx.clients.cloudwatch.send(new PutMetricAlarmCommand(putAlarmInput(desired)));
  },

  async destroy(ctx, observed) {
    await deleteAlarm(ctx.clients, observed.id);
  },

  // PutMetricAlarm overwrites an alarm of the same name: one not ours must be found first
  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await describeAlarms(
        ctx,
        desired.map((resource) => resource.properties.name),
      ),
      nameOf: (alarm) => alarm.AlarmName,
      read: async (alarm) => ({ alarm, tags: await cloudwatchTags(ctx, alarm.AlarmArn ?? '') }),
      toObserved: liveAlarm,
    }),
});
