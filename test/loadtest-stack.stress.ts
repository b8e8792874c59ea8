/**
 * `npm run loadtest -- --stack NAME` on the local cloud: a stack with an ECS service applied by
 * the reconciler, an alarm tagged as the stack's; while the load runs, the service's desired
 * count and the alarm's state change, and the summary reports the counts, the scaling event and
 * the alarm transition. A stack with nothing in it is reported as such, and the run goes on.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { type RunningApp, startTestService, type TestService } from './fixtures/service/harness.ts';
import { runCli } from './helpers/cli.ts';
import { runLoadtest } from './helpers/loadtest.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const spec = fileURLToPath(new URL('./fixtures/loadtest/loadtest-stack.yaml', import.meta.url));
const STACK = 'loadtest-stack';
const ALARM = 'loadtest-stack-api-cpu-high';

interface StackResults {
  stack: {
    readings: number;
    services: Array<{ name: string; desired: [number, number] }>;
    scaling: Array<{ service: string; count: string; from: number; to: number }>;
    alarms: Array<{ alarm: string; from?: string; to: string }>;
    tasks: Array<{ desired: number }>;
  };
  rows: Array<{ requests: number; errors: number }>;
}

describe('loadtest --stack on the local cloud', { timeout: 300_000 }, () => {
  let moto: MotoServer;
  let service: TestService;
  let running: RunningApp;
  let out: string;

  before(async () => {
    [moto, service] = await Promise.all([startMoto(), startTestService('loadtest_stack')]);
    ({ running } = service);
    out = await mkdtemp(join(tmpdir(), 'loadtest-stack-'));
    const applied = await runCli(['apply', spec, '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    await new CloudWatchClient({}).send(
      new PutMetricAlarmCommand({
        AlarmName: ALARM,
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Dimensions: [
          { Name: 'ClusterName', Value: STACK },
          { Name: 'ServiceName', Value: 'api' },
        ],
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 80,
        ComparisonOperator: 'GreaterThanThreshold',
        Tags: [
          { Key: 'reconciler:stack', Value: STACK },
          { Key: 'reconciler:address', Value: 'metric-alarm.api-cpu-high' },
          { Key: 'reconciler:managed-by', Value: 'reconciler' },
        ],
      }),
    );
  });

  after(async () => {
    await service?.close();
    await moto?.stop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  test('samples the task counts and alarm states, and reports what changed during the run', async () => {
    let acted: Promise<unknown> | undefined;
    const result = await runLoadtest(
      [
        '--url',
        running.baseUrl,
        '--stages',
        '2s:3,5s:6,3s:0',
        '--stack',
        STACK,
        '--sample-every',
        '1s',
        '--out',
        out,
      ],
      {},
      (stdout) => {
        // once the second stage runs: what a scaler and a breached threshold would do
        if (acted || !stdout.includes('stage 2/3')) return;
        acted = Promise.all([
          new ECSClient({}).send(
            new UpdateServiceCommand({ cluster: STACK, service: 'api', desiredCount: 3 }),
          ),
          new CloudWatchClient({}).send(
            new SetAlarmStateCommand({
              AlarmName: ALARM,
              StateValue: 'ALARM',
              StateReason: 'CPU above 80%',
            }),
          ),
        ]);
      },
    );
    await acted;
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(
      result.stdout,
      /^stack loadtest-stack: api: desired 2 running \d+ \| alarms 1 \w+$/m,
    );

    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as StackResults;
    assert.ok(results.stack.readings >= 3, `${results.stack.readings} readings`);
    assert.deepStrictEqual(
      results.stack.services.map((s) => [s.name, s.desired]),
      [['api', [2, 3]]],
    );
    assert.deepStrictEqual(
      results.stack.scaling
        .filter((event) => event.count === 'desired')
        .map(({ service, from, to }) => [service, from, to]),
      [['api', 2, 3]],
    );
    const transitions = results.stack.alarms.filter((a) => a.alarm === ALARM);
    assert.equal(transitions.at(-1)?.to, 'ALARM');
    assert.ok(
      transitions.length === 2 && transitions[0]!.from === undefined,
      JSON.stringify(transitions),
    );
    for (const row of results.rows) assert.ok(row.requests > 0 && row.errors === 0);

    const summary = await readFile(join(out, 'summary.md'), 'utf8');
    assert.match(summary, /^\| api \| 2–3 \| /m);
    assert.match(summary, /^\| \d:\d\d \| api \| desired \| 2 → 3 \|$/m);
    assert.match(
      summary,
      new RegExp(`^\\| \\d:\\d\\d \\| \`${ALARM}\` \\| \\w+ → ALARM \\| CPU above 80% \\|$`, 'm'),
    );
    assert.match(summary, new RegExp(`^\\| \`${ALARM}\` \\| \\w+ \\| ALARM \\| 1 \\|$`, 'm'));
    const svg = await readFile(join(out, 'chart.svg'), 'utf8');
    assert.match(svg, /data-series="desired" d="M/);
    assert.match(svg, /class="alarm"><title>[^<]*loadtest-stack-api-cpu-high: ALARM</);
  });

  test('a stack with no service and no alarms is said so in one line each, and the load runs', async () => {
    const result = await runLoadtest([
      '--url',
      running.baseUrl,
      '--stages',
      '2s:2',
      '--stack',
      'no-such-stack',
      '--out',
      join(out, 'empty'),
    ]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(
      result.stdout,
      /^stack no-such-stack: no ECS service found \(no cluster tagged reconciler:stack=no-such-stack\)/m,
    );
    assert.match(result.stdout, /^stack no-such-stack: no CloudWatch alarms found/m);
    const summary = await readFile(join(out, 'empty', 'summary.md'), 'utf8');
    assert.match(summary, /No ECS service found/);
    assert.match(summary, /No alarms found/);
  });
});
