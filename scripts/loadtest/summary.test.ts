import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Recorder } from './recorder.ts';
import { buildReport, chartData } from './report.ts';
import { parseStages } from './stages.ts';
import { stagesTable, summaryMarkdown } from './summary.ts';

const stages = parseStages('2s:4,2s:0');

function report(withStack: boolean) {
  const recorder = new Recorder(stages, 1000);
  recorder.running(0, 500, 2);
  recorder.running(0, 1900, 4);
  for (const at of [100, 600, 1200])
    recorder.response(0, at, 'ingest', { status: 202, latencyMs: 10 });
  recorder.response(0, 1500, 'search', { status: 429, latencyMs: 1 });
  recorder.response(1, 2500, 'page', { status: 200, latencyMs: 30 });
  recorder.response(1, 2600, 'page', { status: 429, latencyMs: 2 });
  recorder.response(1, 3100, 'stats', { error: 'ECONNRESET' });
  const samples = [
    {
      elapsedMs: 0,
      state: {
        services: [{ name: 'api', desired: 2, running: 2, pending: 0 }],
        alarms: [{ name: 'cpu', state: 'OK', reason: '' }],
      },
    },
    {
      elapsedMs: 2000,
      state: {
        services: [{ name: 'api', desired: 3, running: 2, pending: 1 }],
        alarms: [{ name: 'cpu', state: 'ALARM', reason: 'CPU | 90%' }],
      },
    },
  ];
  return buildReport({
    command: 'npm run loadtest -- --url http://x --stages 2s:4,2s:0',
    url: 'http://x',
    stages,
    run: { startedAt: new Date('2026-12-02T01:00:00Z'), durationMs: 4000, recorder },
    ...(withStack ? { stack: { name: 'web', everyMs: 2000, samples } } : {}),
  });
}

test('the stages table lists each stage and the total, errors by status and error', () => {
  const table = stagesTable(report(false)).split('\n');
  assert.equal(table.length, 6, table.join('\n'));
  assert.match(
    table[0]!,
    /^stage +schedule +duration +peak users +requests +req\/s +p50 ms +p90 ms +p99 ms +errors$/,
  );
  assert.match(table[2]!, /^1 +0 → 4 users +2s +4 +4 +2\.0 +10 +10 +10 +429×1$/);
  assert.match(table[3]!, /^2 +4 → 0 users +2s +0 +3 +1\.5 +.* 429×1, ECONNRESET×1$/);
  assert.match(table[5]!, /^all +2 stages +4s +4 +7 +1\.8 .* 429×2, ECONNRESET×1$/);
});

test('the summary has the command, the stages, the mix, and the stack: counts, scaling, alarms', () => {
  const summary = summaryMarkdown(report(true), 'chart.svg');
  assert.match(summary, /^npm run loadtest -- --url http:\/\/x --stages 2s:4,2s:0$/m);
  assert.match(
    summary,
    /^\| 1 \| 0 → 4 users \| 2s \| 4 \| 4 \| 2\.0 \| 10 \| 10 \| 10 \| 429×1 \|$/m,
  );
  assert.match(summary, /^\| \*\*all\*\* \|/m);
  assert.match(summary, /^\| ingest \| 3 \| 42\.9% \|$/m);
  assert.match(summary, /^\| api \| 2–3 \| 2–2 \|$/m);
  assert.match(summary, /^\| 0:02 \| api \| desired \| 2 → 3 \|$/m);
  assert.match(summary, /^\| `cpu` \| OK \| ALARM \| 1 \|$/m);
  assert.match(
    summary,
    /^\| 0:02 \| `cpu` \| OK → ALARM \| CPU \\\| 90% \|$/m,
    'a | in a reason is escaped',
  );
  assert.doesNotMatch(summaryMarkdown(report(false), 'chart.svg'), /## Stack/);
});

test('the chart data marks transitions only, and says why there are no task counts', () => {
  const withStack = chartData(report(true));
  assert.deepStrictEqual(
    withStack.alarms?.map((a) => [a.alarm, a.to]),
    [['cpu', 'ALARM']],
  );
  assert.deepStrictEqual(
    withStack.tasks?.map((t) => t.desired),
    [2, 3],
  );
  assert.deepStrictEqual(withStack.throughput, [2, 2, 2, 1], 'answers per second by bucket');
  assert.equal(chartData(report(false)).tasks, undefined);
  assert.match(chartData(report(false)).tasksNote ?? '', /--stack NAME/);
});
