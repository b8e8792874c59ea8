/** parseLoadtestArgs reads the command line of `npm run loadtest`; a bad flag is a one-line UsageError. */
import { parseArgs } from 'node:util';
import { parseDuration, parseStages, type Stage } from './stages.ts';
import { UsageError } from './usage-error.ts';

/** DEFAULT_STAGES ramps up, holds a peak, and ramps down. */
export const DEFAULT_STAGES = '30s:50,2m:400,1m:0';

export const USAGE = `usage: npm run loadtest -- --url URL [options]

A stepped load of realistic requests against the log API (batched ingest, paged queries
with cursors, full-text search, stats), with throughput, latency percentiles and errors
per stage; a chart (SVG) and a Markdown summary at the end.

options:
  --url URL             the log API's base URL (e.g. http://127.0.0.1:3000)
  --stages LIST         DURATION:USERS,... each stage ramps linearly from the previous
                        number of virtual users to its own (default ${DEFAULT_STAGES})
  --stack NAME          also sample the stack's ECS task counts and alarm states (AWS SDK:
                        credentials, AWS_ENDPOINT_URL and the region from the environment)
  --region REGION       the stack's region (default AWS_REGION, AWS_DEFAULT_REGION)
  --sample-every DUR    how often --stack is read (default 5s)
  --out DIR             where the chart and summary go (default loadtest-results/)
  -h, --help            this help`;

export interface LoadtestOptions {
  url: string;
  stagesText: string;
  stages: Stage[];
  stack?: string;
  region?: string;
  sampleEveryMs: number;
  out: string;
}

/** parseLoadtestArgs returns the options, or 'help'. */
export function parseLoadtestArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
): LoadtestOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        stages: { type: 'string' },
        stack: { type: 'string' },
        region: { type: 'string' },
        'sample-every': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    const message = (err as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '');
    throw new UsageError(`${message} (see --help)`);
  }
  if (values.help) return 'help';
  const url = values.url as string | undefined;
  if (url === undefined)
    throw new UsageError('--url is required (e.g. --url http://127.0.0.1:3000)');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {}
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.search || parsed.hash) {
    throw new UsageError(`--url ${url}: not an http:// or https:// base URL`);
  }
  const stagesText = (values.stages as string | undefined) ?? DEFAULT_STAGES;
  const stages = parseStages(stagesText);
  if (!stages.some((stage) => stage.target > 0)) {
    throw new UsageError(`--stages ${stagesText}: every stage has 0 users, nothing would be sent`);
  }
  const everyText = (values['sample-every'] as string | undefined) ?? '5s';
  const sampleEveryMs = parseDuration(everyText);
  if (sampleEveryMs === undefined || sampleEveryMs < 1000) {
    throw new UsageError(`--sample-every ${everyText}: not a duration of at least 1s`);
  }
  const stack = values.stack as string | undefined;
  if (stack !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(stack)) {
    throw new UsageError(`--stack ${stack}: not a stack name (letters, digits and dashes)`);
  }
  const region =
    (values.region as string | undefined) ??
    (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  if (stack !== undefined && !region) {
    throw new UsageError(`--stack ${stack}: no region: pass --region or set AWS_REGION`);
  }
  const out = (values.out as string | undefined) ?? 'loadtest-results';
  if (out.trim() === '') throw new UsageError('--out: an empty directory name');
  return {
    url,
    stagesText,
    stages,
    ...(stack !== undefined ? { stack } : {}),
    ...(region ? { region } : {}),
    sampleEveryMs,
    out,
  };
}
