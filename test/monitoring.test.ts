/**
 * Monitoring on the local cloud with the real CLI: the reference stack's alarms, SNS topic and
 * dashboard exist after one apply and the replan is empty; a threshold changed out of band is
 * shown and corrected; reordering the spec's dashboard widgets is no change when every widget has
 * its position (CloudWatch shows the same dashboard) and a change when one has not (CloudWatch
 * lays them out in order).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
  PutDashboardCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { parse, stringify } from 'yaml';
import { runCli } from './helpers/cli.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const reference = fileURLToPath(new URL('../specs/scalable-logging.yaml', import.meta.url));
const region = 'us-west-2';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** The alarms the reference stack's defaults give: one service behind the load balancer, a database. */
const REFERENCE_ALARMS = [
  'scalable-logging-api-running-tasks',
  'scalable-logging-api-target-5xx-rate',
  'scalable-logging-api-target-response-time-p99',
  'scalable-logging-api-unhealthy-hosts',
  'scalable-logging-database-connections',
  'scalable-logging-database-cpu',
  'scalable-logging-database-free-storage',
];

type PlanJson = {
  stacks: { changes: { address: string; action: string; fields: { path: string }[] }[] }[];
};

function changesOf(stdout: string) {
  return (JSON.parse(stdout) as PlanJson).stacks
    .flatMap((stack) => stack.changes)
    .filter((change) => change.action !== 'no-op');
}

async function applied(spec: string): Promise<void> {
  const result = await runCli(['apply', spec, '--auto-approve']);
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
}

async function plan(spec: string) {
  const result = await runCli(['plan', spec, '--detailed-exitcode', '--output', 'json']);
  assert.notEqual(result.code, 1, `${result.stdout}\n${result.stderr}`);
  return { code: result.code, changes: changesOf(result.stdout) };
}

describe('monitoring on the local cloud', { timeout: 600_000 }, () => {
  let moto: MotoServer;
  let cloudwatch: CloudWatchClient;
  let sns: SNSClient;
  const folder = mkdtempSync(join(tmpdir(), 'monitoring-'));

  const alarmsNamed = async (prefix: string): Promise<MetricAlarm[]> =>
    (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix }))).MetricAlarms ??
    [];

  before(async () => {
    moto = await startMoto();
    const config = { region, endpoint: moto.endpoint, credentials };
    cloudwatch = new CloudWatchClient(config);
    sns = new SNSClient(config);
  });

  after(async () => {
    cloudwatch?.destroy();
    sns?.destroy();
    await moto?.stop();
  });

  it('applies the reference stack with its alarms, topic and dashboard, and replans empty', async () => {
    await applied(reference);
    const alarms = await alarmsNamed('scalable-logging-');
    assert.deepStrictEqual(alarms.map((alarm) => alarm.AlarmName).sort(), REFERENCE_ALARMS);

    const topics = (await sns.send(new ListTopicsCommand({}))).Topics ?? [];
    const topicArn = topics.find((topic) =>
      topic.TopicArn?.endsWith(':scalable-logging-alarms'),
    )?.TopicArn;
    assert.ok(topicArn, 'the alarms topic exists');
    for (const alarm of alarms) {
      assert.deepStrictEqual(
        alarm.AlarmActions,
        [topicArn],
        `${alarm.AlarmName} notifies the topic`,
      );
    }
    const subscriptions = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
    );
    assert.deepStrictEqual(
      subscriptions.Subscriptions?.map((s) => [s.Protocol, s.Endpoint]),
      [['email', 'oncall@example.com']],
    );

    const rate = alarms.find((alarm) => alarm.AlarmName?.endsWith('-target-5xx-rate'));
    const dimensions = rate?.Metrics?.find((query) => query.Id === 'errors')?.MetricStat?.Metric
      ?.Dimensions;
    const loadBalancer = dimensions?.find((d) => d.Name === 'LoadBalancer')?.Value ?? '';
    const targetGroup = dimensions?.find((d) => d.Name === 'TargetGroup')?.Value ?? '';
    assert.match(loadBalancer, /^app\/scalable-logging\/[0-9a-f]+$/, 'the LoadBalancer dimension');
    assert.match(targetGroup, /^targetgroup\/[\w-]+\/[0-9a-f]+$/, 'the TargetGroup dimension');

    const dashboard = await cloudwatch.send(
      new GetDashboardCommand({ DashboardName: 'scalable-logging-us-west-2' }),
    );
    const body = JSON.parse(dashboard.DashboardBody ?? '{}') as {
      widgets: { properties: { title?: string } }[];
    };
    assert.deepStrictEqual(
      body.widgets.map((widget) => widget.properties.title),
      [
        'api: requests',
        'api: latency (seconds)',
        'api: 5xx errors',
        'api: tasks',
        'api: scaling activity (desired tasks)',
        'database: CPU (percent)',
        'database: connections',
        'database: free storage (bytes)',
      ],
    );
    const tags = await cloudwatch.send(
      new ListTagsForResourceCommand({ ResourceARN: dashboard.DashboardArn }),
    );
    assert.ok(
      tags.Tags?.some((tag) => tag.Key === 'reconciler:address' && tag.Value === 'dashboard.main'),
      'the dashboard carries its ownership tags',
    );

    const replan = await plan(reference);
    assert.equal(replan.code, 0, JSON.stringify(replan.changes));
  });

  it('shows and corrects a threshold changed out of band', async () => {
    const [cpu] = await alarmsNamed('scalable-logging-database-cpu');
    assert.ok(cpu, 'the CPU alarm exists');
    assert.equal(cpu.Threshold, 80);
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: cpu.AlarmName,
        Namespace: cpu.Namespace,
        MetricName: cpu.MetricName,
        Dimensions: cpu.Dimensions,
        Statistic: cpu.Statistic,
        Period: cpu.Period,
        EvaluationPeriods: cpu.EvaluationPeriods,
        ComparisonOperator: cpu.ComparisonOperator,
        TreatMissingData: cpu.TreatMissingData,
        AlarmDescription: cpu.AlarmDescription,
        AlarmActions: cpu.AlarmActions,
        OKActions: cpu.OKActions,
        Threshold: 95,
      }),
    );

    const drifted = await plan(reference);
    assert.equal(drifted.code, 2);
    assert.deepStrictEqual(
      drifted.changes.map((change) => [
        change.address,
        change.action,
        change.fields.map((f) => f.path),
      ]),
      [['metric-alarm.database-cpu', 'update', ['threshold']]],
    );

    await applied(reference);
    const [corrected] = await alarmsNamed('scalable-logging-database-cpu');
    assert.equal(corrected?.Threshold, 80);
    assert.equal((await plan(reference)).code, 0);
  });

  it("never takes over a topic or a dashboard of the same name that is not the stack's", async () => {
    await sns.send(new CreateTopicCommand({ Name: 'handmade-alarms' }));
    const body = JSON.stringify({ widgets: [{ type: 'text', properties: { markdown: 'mine' } }] });
    await cloudwatch.send(
      new PutDashboardCommand({ DashboardName: 'handmade-us-west-2', DashboardBody: body }),
    );
    const spec = join(folder, 'handmade.yaml');
    const parsed = parse(readFileSync(reference, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      spec,
      stringify({ name: 'handmade', region, network: parsed.network, monitoring: {} }),
    );
    const result = await runCli(['apply', spec, '--auto-approve']);
    assert.notEqual(result.code, 0, 'the apply refuses the create');
    assert.match(`${result.stdout}${result.stderr}`, /dashboard\.main[^\n]*not owned/);
    assert.match(`${result.stdout}${result.stderr}`, /sns-topic\.alarms[^\n]*not owned/);
    const kept = await cloudwatch.send(
      new GetDashboardCommand({ DashboardName: 'handmade-us-west-2' }),
    );
    assert.equal(kept.DashboardBody, body, 'the dashboard is left as it was');
  });

  describe('reordering the spec dashboard widgets', () => {
    const text = (markdown: string, position?: { x: number; y: number }) => ({
      type: 'text',
      ...(position ? { ...position, width: 12, height: 3 } : {}),
      properties: { markdown },
    });
    const specWith = (name: string, widgets: unknown[]) => {
      const spec = parse(readFileSync(reference, 'utf8')) as Record<string, unknown>;
      const small = {
        name,
        region,
        network: spec.network,
        monitoring: { widgets },
      };
      const file = join(folder, `${name}-${widgets.length}-${Date.now()}.yaml`);
      writeFileSync(file, stringify(small));
      return file;
    };

    it('is no change when every widget has x, y, width and height', async () => {
      const widgets = [text('# runbook', { x: 0, y: 0 }), text('# owners', { x: 12, y: 0 })];
      await applied(specWith('placed', widgets));
      const reordered = await plan(specWith('placed', [...widgets].reverse()));
      assert.equal(reordered.code, 0, JSON.stringify(reordered.changes));
    });

    it('is a change of the body when a widget has no position', async () => {
      const widgets = [text('# runbook'), text('# owners', { x: 12, y: 0 })];
      const spec = specWith('flowing', widgets);
      await applied(spec);
      assert.equal((await plan(spec)).code, 0);
      const reordered = await plan(specWith('flowing', [...widgets].reverse()));
      assert.equal(reordered.code, 2);
      assert.deepStrictEqual(
        reordered.changes.map((change) => [change.address, change.action]),
        [['dashboard.main', 'update']],
      );
      assert.ok(
        reordered.changes[0]?.fields.every((field) => field.path.startsWith('body.widgets[')),
        JSON.stringify(reordered.changes[0]?.fields),
      );
    });
  });
});
