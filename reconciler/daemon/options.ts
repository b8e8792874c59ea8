import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultCacheDir } from './git-source.ts';

/** DaemonOptions are the parsed flags of `reconciler run`. */
export interface DaemonOptions {
  /** specPaths are local spec files or folders (watched); empty when a git source is used. */
  specPaths: string[];
  git: { url: string; branch: string; path: string; pollMs: number; cacheDir: string } | undefined;
  resyncMs: number;
  pendingRequeueMs: number;
  concurrency: number;
  parallelism: number | undefined;
  awsRps: number;
  awsBurst: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  observeOnly: boolean;
  listen: { host: string; port: number };
  /** shared: replicas spread the stacks, a lease per stack, instead of one leader for all. */
  lease: { table: string; name: string; ttlMs: number; shared: boolean } | undefined;
  shutdownTimeoutMs: number;
  region: string;
  watchPollMs: number;
  logLevel: string;
  replicaId: string;
}

/** RUN_USAGE is the help of `reconciler run`. */
export const RUN_USAGE = `usage: reconciler run [SPEC_PATH...] [options]
       reconciler run --git-url URL [--git-branch main] [--git-path specs] [options]

Keep every stack converged: reconcile on spec changes, on a resync timer (drift), and
after pending resources; serve /healthz /readyz /metrics /status.

sources (one of):
  SPEC_PATH...              spec files or folders (*.yaml, *.yml), watched for changes
  --git-url URL             git remote to poll (auth: git's own SSH agent / credential helper)
  --git-branch NAME         branch to follow (default main)
  --git-path DIR            folder of the specs inside the repository (default: the root)
  --git-poll DURATION       fetch interval (default 30s)
  --cache-dir DIR           clone cache (default .data/git-cache/<hash of url>)
  --watch-poll DURATION     folder rescan interval besides file events (default 5s)

loop:
  --resync DURATION         reconcile each stack again after this long, ±10 % (default 5m)
  --pending-requeue DURATION  re-check pending resources after (default 15s)
  --concurrency N           stacks reconciled at once (default 2)
  --parallelism N           AWS operations at once within a stack (default: the engine's)
  --aws-rps N               AWS requests per second, all stacks and retries (default 10)
  --aws-burst N             requests allowed at once above the rate (default: --aws-rps)
  --backoff-base DURATION   first retry delay after an error (default 5s)
  --backoff-cap DURATION    longest retry delay (default 5m)
  --observe-only            plan and report drift, change nothing

replicas:
  --lease-table NAME        DynamoDB table for the leader lease (created if missing);
                            without it this is the only replica
  --lease-name NAME         lease key; replicas sharing it exclude each other (default reconciler)
  --lease-ttl DURATION      lease lifetime, renewed every third of it (default 15s)
  --share-stacks            replicas spread the stacks among them, a lease per stack, each
                            holding at most ceil(stacks / live replicas); without it one
                            replica (the leader) applies every stack (needs --lease-table)
  --replica-id ID           this replica's name in the lease (default host-pid)

process:
  --listen HOST:PORT        status listener (default 127.0.0.1:9464; port 0 picks one)
  --region REGION           region of the lease table and the STS probe
                            (default AWS_REGION, else us-west-2)
  --shutdown-timeout DURATION  on SIGTERM/SIGINT, wait this long for operations in flight
                            (default 30s)
  --log-level LEVEL         pino level (default info)

Durations: 500ms, 30s, 5m, 1h, 1m30s; a bare number means seconds.`;

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** parseDuration reads `500ms`, `30s`, `5m`, `1h`, `1m30s` or bare seconds into milliseconds. */
export function parseDuration(text: string, flag = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1_000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new Error(`${flag}: cannot read duration '${text}' (examples: 500ms, 30s, 5m, 1h)`);
  }
  return Math.round(
    parts.reduce((total, [, value, unit]) => total + Number(value) * (UNITS[unit ?? 's'] ?? 0), 0),
  );
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${flag}: expected a whole number of at least 1, got '${text}'`);
  }
  return value;
}

function positiveNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new Error(`${flag}: expected a positive number, got '${text}'`);
  }
  return value;
}

/** parseListen reads `host:port`, `[::1]:port` or `:port` (all interfaces). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--listen: expected HOST:PORT such as 127.0.0.1:9464, got '${text}'`);
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

const DURATION_FLAGS = new Set([
  'git-poll',
  'watch-poll',
  'resync',
  'pending-requeue',
  'backoff-base',
  'backoff-cap',
  'lease-ttl',
  'shutdown-timeout',
]);
const UNIT_WORD = /^(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?)$/i;

/**
 * rejectSpacedUnits refuses `--resync 5 minutes`: the unit would otherwise be taken as a spec
 * path and the number as seconds.
 */
function rejectSpacedUnits(tokens: ReturnType<typeof parseArgs>['tokens'] = []): void {
  tokens.forEach((token, index) => {
    if (token.kind !== 'option' || !DURATION_FLAGS.has(token.name) || token.inlineValue) return;
    const next = tokens[index + 1];
    if (next?.kind === 'positional' && UNIT_WORD.test(next.value)) {
      throw new Error(
        `--${token.name}: cannot read duration '${token.value} ${next.value}' (write it without a space: 500ms, 30s, 5m, 1h)`,
      );
    }
  });
}

/** parseRunArgs parses `reconciler run` flags; it throws on a bad value with the flag's name. */
export function parseRunArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): DaemonOptions | 'help' {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      'git-url': { type: 'string' },
      'git-branch': { type: 'string', default: 'main' },
      'git-path': { type: 'string', default: '' },
      'git-poll': { type: 'string', default: '30s' },
      'cache-dir': { type: 'string' },
      'watch-poll': { type: 'string', default: '5s' },
      resync: { type: 'string', default: '5m' },
      'pending-requeue': { type: 'string', default: '15s' },
      concurrency: { type: 'string', default: '2' },
      parallelism: { type: 'string' },
      'aws-rps': { type: 'string', default: '10' },
      'aws-burst': { type: 'string' },
      'backoff-base': { type: 'string', default: '5s' },
      'backoff-cap': { type: 'string', default: '5m' },
      'observe-only': { type: 'boolean', default: false },
      'lease-table': { type: 'string' },
      'lease-name': { type: 'string', default: 'reconciler' },
      'lease-ttl': { type: 'string', default: '15s' },
      'share-stacks': { type: 'boolean', default: false },
      'replica-id': { type: 'string' },
      listen: { type: 'string', default: '127.0.0.1:9464' },
      region: { type: 'string' },
      'shutdown-timeout': { type: 'string', default: '30s' },
      'log-level': { type: 'string', default: env.LOG_LEVEL ?? 'info' },
    },
  });
  if (values.help) return 'help';
  rejectSpacedUnits(tokens);
  const gitUrl = values['git-url'];
  if (gitUrl !== undefined && positionals.length > 0) {
    throw new Error('give either spec paths or --git-url, not both');
  }
  if (gitUrl === undefined && positionals.length === 0) {
    throw new Error('no specs: give spec files or folders, or --git-url');
  }
  const awsRps = positiveNumber(values['aws-rps'], '--aws-rps');
  const leaseTtlMs = parseDuration(values['lease-ttl'], '--lease-ttl');
  if (leaseTtlMs < 3_000)
    throw new Error(`--lease-ttl: must be at least 3s, got ${values['lease-ttl']}`);
  const leaseTable = values['lease-table'];
  if (values['share-stacks'] && !leaseTable) {
    throw new Error('--share-stacks: needs --lease-table (the table holding the stack leases)');
  }
  return {
    specPaths: positionals,
    git: gitUrl
      ? {
          url: gitUrl,
          branch: values['git-branch'],
          path: values['git-path'],
          pollMs: parseDuration(values['git-poll'], '--git-poll'),
          cacheDir: values['cache-dir'] ?? defaultCacheDir(gitUrl),
        }
      : undefined,
    resyncMs: parseDuration(values.resync, '--resync'),
    pendingRequeueMs: parseDuration(values['pending-requeue'], '--pending-requeue'),
    concurrency: positiveInteger(values.concurrency, '--concurrency'),
    parallelism:
      values.parallelism === undefined
        ? undefined
        : positiveInteger(values.parallelism, '--parallelism'),
    awsRps,
    awsBurst:
      values['aws-burst'] === undefined
        ? Math.max(1, Math.ceil(awsRps))
        : positiveInteger(values['aws-burst'], '--aws-burst'),
    backoffBaseMs: parseDuration(values['backoff-base'], '--backoff-base'),
    backoffCapMs: parseDuration(values['backoff-cap'], '--backoff-cap'),
    observeOnly: values['observe-only'],
    listen: parseListen(values.listen),
    lease: leaseTable
      ? {
          table: leaseTable,
          name: values['lease-name'],
          ttlMs: leaseTtlMs,
          shared: values['share-stacks'],
        }
      : undefined,
    shutdownTimeoutMs: parseDuration(values['shutdown-timeout'], '--shutdown-timeout'),
    region: values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-west-2',
    watchPollMs: parseDuration(values['watch-poll'], '--watch-poll'),
    logLevel: values['log-level'],
    replicaId: values['replica-id'] ?? `${hostname()}-${process.pid}`,
  };
}
