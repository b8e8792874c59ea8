/**
 * `npm run loadtest -- --url URL [--stages 30s:50,2m:400,1m:0] [--stack NAME] [--out DIR]`:
 * runs the stages against the log API, prints a line of progress every few seconds and the
 * stages table at the end, and writes chart.svg, summary.md and results.json into --out.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createClients } from '../../reconciler/aws/clients.ts';
import { parseLoadtestArgs, USAGE } from './args.ts';
import { chartSvg, clock } from './chart.ts';
import { buildReport, chartData, scheduleOf } from './report.ts';
import { checkReachable, type Progress, runLoad } from './runner.ts';
import { Sampler } from './sampler.ts';
import { stackReader } from './stack-reader.ts';
import { formatDuration, totalDuration } from './stages.ts';
import { failuresText, stackLine, stagesTable, summaryMarkdown } from './summary.ts';
import { UsageError } from './usage-error.ts';

const say = (line = '') => process.stdout.write(`${line}\n`);
const ms = (value: number) =>
  Number.isFinite(value) ? `${value.toFixed(value < 10 ? 1 : 0)} ms` : '-';

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

async function main(argv: string[]): Promise<number> {
  const options = parseLoadtestArgs(argv, process.env);
  if (options === 'help') {
    say(USAGE);
    return 0;
  }
  const { stages } = options;
  await checkReachable(options.url);
  // with --stack, where the SDK went is part of the command (credentials never are)
  const awsEnv = options.stack
    ? ['AWS_ENDPOINT_URL', ...(argv.includes('--region') ? [] : ['AWS_REGION'])]
        .filter((name) => process.env[name])
        .map((name) => `${name}=${quote(process.env[name]!)} `)
        .join('')
    : '';
  const command = `${awsEnv}npm run loadtest -- ${argv.map(quote).join(' ')}`;
  say(
    `load test of ${options.url}: ${stages.length} stage${stages.length === 1 ? '' : 's'}, ${formatDuration(totalDuration(stages))}, up to ${Math.max(...stages.map((s) => s.target))} virtual users`,
  );

  let runStart = 0;
  let sampler: Sampler | undefined;
  if (options.stack) {
    const clients = createClients({ region: options.region! });
    sampler = new Sampler(
      stackReader(clients, options.stack),
      options.sampleEveryMs,
      () => performance.now() - runStart,
    );
    const first = await sampler.sample();
    if (first.error)
      say(
        `stack ${options.stack}: cannot read it (${first.error}); the run goes on, reading again every ${options.sampleEveryMs / 1000} s`,
      );
    else {
      const state = first.state!;
      say(`stack ${options.stack}: ${stackLine(state)}`);
      if (state.services.length === 0) {
        say(
          `stack ${options.stack}: no ECS service found (no cluster tagged reconciler:stack=${options.stack}); no task counts to chart`,
        );
      }
      if (state.alarms.length === 0) {
        say(
          `stack ${options.stack}: no CloudWatch alarms found (none tagged reconciler:stack=${options.stack}); no alarm transitions to report`,
        );
      }
    }
    // the reading before the load is the run's first: the load starts right after it
    first.elapsedMs = 0;
  }

  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bucketMs = Math.max(1000, Math.ceil(totalDuration(stages) / 600 / 1000) * 1000);
  runStart = performance.now();
  sampler?.start(options.sampleEveryMs);
  const progress = ({ elapsedMs, stage, users, window, windowMs }: Progress) => {
    const latest = sampler?.latest();
    say(
      [
        `[${clock(elapsedMs)}] stage ${stage + 1}/${stages.length}`,
        `users ${users}`,
        `${(window.requests / (windowMs / 1000)).toFixed(0)} req/s`,
        `p50 ${ms(window.latency.percentile(50))}`,
        `p90 ${ms(window.latency.percentile(90))}`,
        `p99 ${ms(window.latency.percentile(99))}`,
        `errors ${window.errors === 0 ? 0 : [...window.failures].map(([w, n]) => `${w}×${n}`).join(', ')}`,
        ...(latest ? [stackLine(latest)] : []),
      ].join('  '),
    );
  };
  const run = await runLoad({
    url: options.url,
    stages,
    bucketMs,
    onProgress: progress,
    onStageStart: (stage) =>
      say(
        `stage ${stage + 1}/${stages.length}: ${scheduleOf(stages, stage)} over ${formatDuration(stages[stage]!.durationMs)}`,
      ),
    signal: abort.signal,
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await sampler?.stop();

  const report = buildReport({
    command,
    url: options.url,
    stages,
    run,
    ...(sampler
      ? {
          stack: { name: options.stack!, everyMs: options.sampleEveryMs, samples: sampler.samples },
        }
      : {}),
  });
  say();
  if (run.aborted) say(`stopped early: ${run.aborted}`);
  say(stagesTable(report));
  if (report.stack) {
    for (const event of report.stack.scaling) {
      say(
        `[${clock(event.elapsedMs)}] ${event.service}: ${event.count} ${event.from} -> ${event.to}`,
      );
    }
    for (const event of report.stack.alarms.filter((e) => e.from !== undefined)) {
      say(`[${clock(event.elapsedMs)}] alarm ${event.alarm}: ${event.from} -> ${event.to}`);
    }
  }
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'chart.svg'), chartSvg(chartData(report)));
  writeFileSync(join(out, 'summary.md'), summaryMarkdown(report, 'chart.svg'));
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  say(
    `\nwrote ${join(options.out, 'chart.svg')}, ${join(options.out, 'summary.md')}, ${join(options.out, 'results.json')}`,
  );
  say(
    `total: ${report.total.requests} requests, ${report.total.perSecond.toFixed(1)} req/s, errors ${failuresText(report.total)}`,
  );
  return run.aborted ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`loadtest: ${err.message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
