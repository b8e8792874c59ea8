/**
 * Service benchmark (npm run bench:service): ingest of 100-event batches and a newest-first
 * time-range query, each run against the service (service/main.ts, real logging, validation,
 * metrics, ORM) and against a bare node:http + pg server doing the same SQL (the ceiling),
 * with autocannon on loopback for a bounded time (each run twice, alternating, best kept). Prints events/s, req/s, p99 latency, the
 * service's share of the ceiling and peak RSS. DATABASE_URL picks the server; without it an
 * embedded PostgreSQL is started under .data/bench-postgres. BENCH_SECONDS sets each run's
 * length (default 10), BENCH_CONNECTIONS the concurrency (default 50).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import pg from 'pg';
import { startEmbeddedPostgres } from '../service/embedded-db.ts';
import { freePort } from '../test/helpers/moto.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const poolSize = process.env.DB_POOL_SIZE ?? '10';

async function benchDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  let serverUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({
      dataDir: `${root}.data/bench-postgres`,
      port: await freePort(),
    });
    serverUrl = embedded.url;
    stopServer = () => embedded.stop();
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query('drop database if exists log_bench with (force)');
  await admin.query('create database log_bench');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/log_bench';
  return { url: url.toString(), stop: stopServer };
}

async function startProcess(
  args: string[],
  env: Record<string, string>,
  portOf: (line: Record<string, unknown>) => number | undefined,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const port = portOf(JSON.parse(line) as Record<string, unknown>);
          if (port) resolve(port);
        } catch {
          // not JSON
        }
        newline = buffered.indexOf('\n');
      }
      if (buffered.length > 1_000_000) buffered = '';
    });
    child.on('exit', (code) =>
      reject(new Error(`${args[0]} exited with ${code} before listening`)),
    );
  });
  return { child, port };
}

function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const batch = JSON.stringify(
  Array.from({ length: 100 }, (_, n) => ({
    service: `bench-${n % 5}`,
    level: ['debug', 'info', 'info', 'warn', 'error'][n % 5],
    message: `GET /api/orders/${n} completed in ${n * 3} ms for user ${n * 7}`,
    attributes: { route: '/api/orders/:id', status: 200, durationMs: n * 3 },
  })),
);

async function ingest(port: number): Promise<Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}/v1/logs`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: batch,
    connections,
    duration: seconds,
  });
}

async function query(port: number, since: string, until: string): Promise<Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}/v1/logs?since=${since}&until=${until}&limit=100`,
    connections,
    duration: seconds,
  });
}

function summary(result: Result, eventsPerRequest: number) {
  const okPerSecond = result['2xx'] / result.duration;
  return {
    perSecond: Math.round(okPerSecond * eventsPerRequest),
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  console.log(
    `load average before: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  const database = await benchDatabase();
  const service = await startProcess(
    ['service/main.ts'],
    {
      DATABASE_URL: database.url,
      PORT: '0',
      DB_POOL_SIZE: poolSize,
      LOG_LEVEL: 'info',
      QUEUE_LIMIT: '1000',
    },
    (line) => (line.msg === 'listening' ? Number(line.port) : undefined),
  );
  const raw = await startProcess(
    ['bench/service-raw-server.ts'],
    { DATABASE_URL: database.url, DB_POOL_SIZE: poolSize },
    (line) => (typeof line.port === 'number' ? line.port : undefined),
  );
  try {
    // warm both up (JIT, connections) before measuring
    await autocannon({
      url: `http://127.0.0.1:${service.port}/v1/logs`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: batch,
      connections: 10,
      duration: 2,
    });
    await autocannon({
      url: `http://127.0.0.1:${raw.port}/v1/logs`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: batch,
      connections: 10,
      duration: 2,
    });
    // alternate service and ceiling runs and keep each one's best, so a burst of load from
    // elsewhere on the machine does not decide the comparison
    const best = async (run: () => Promise<Result>, eventsPerRequest: number) =>
      summary(await run(), eventsPerRequest);
    const pick = (a: ReturnType<typeof summary>, b: ReturnType<typeof summary>) =>
      a.perSecond >= b.perSecond ? a : b;
    let serviceIngest = await best(() => ingest(service.port), 100);
    let rawIngest = await best(() => ingest(raw.port), 100);
    rawIngest = pick(rawIngest, await best(() => ingest(raw.port), 100));
    serviceIngest = pick(serviceIngest, await best(() => ingest(service.port), 100));
    const statsClient = new pg.Client({ connectionString: database.url });
    await statsClient.connect();
    const [{ count } = { count: 0 }] = (
      await statsClient.query<{ count: number }>('select count(*)::int as count from log_event')
    ).rows;
    await statsClient.query('analyze log_event');
    await statsClient.end();
    const until = new Date().toISOString();
    const since = new Date(Date.now() - 3_600_000).toISOString();
    let serviceQuery = await best(() => query(service.port, since, until), 1);
    let rawQuery = await best(() => query(raw.port, since, until), 1);
    rawQuery = pick(rawQuery, await best(() => query(raw.port, since, until), 1));
    serviceQuery = pick(serviceQuery, await best(() => query(service.port, since, until), 1));
    console.log(`table size for the queries: ${count} events`);
    const rows = [
      ['ingest (events/s, 100/batch)', serviceIngest, rawIngest],
      ['time-range query (req/s)', serviceQuery, rawQuery],
    ] as const;
    console.log(`\n${seconds} s per run, ${connections} connections, pool ${poolSize}, loopback`);
    console.log(
      '| workload | service | raw pg ceiling | service / ceiling | service p99 ms | raw p99 ms | service non-2xx |',
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const [name, ours, ceiling] of rows) {
      console.log(
        `| ${name} | ${ours.perSecond} | ${ceiling.perSecond} | ${(ours.perSecond / ceiling.perSecond).toFixed(2)} | ${ours.p99} | ${ceiling.p99} | ${ours.non2xx + ours.errors} |`,
      );
    }
    console.log(
      `\npeak RSS: service ${peakRssMb(service.child.pid)} MB, raw server ${peakRssMb(raw.child.pid)} MB`,
    );
    console.log(
      `load average after: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await stop(service.child);
    await stop(raw.child);
    await database.stop();
  }
}

main().catch((err: unknown) => {
  console.error('service benchmark failed:', err);
  process.exitCode = 1;
});
