/**
 * Service benchmark (npm run bench:service): ingest of 100-event batches and a newest-first
 * time-range query, each run against the service (service/main.ts, real logging, validation,
 * metrics, ORM) and against a bare node:http + pg server doing the same SQL (the ceiling),
 * and the same 100 events as OTLP/HTTP protobuf exports to the service (POST /v1/otlp/logs,
 * 400 exports with their own trace ids, sent in turn), compared with the service's own JSON
 * rate of the same run. autocannon drives
 * each on loopback for a bounded time (each run twice, alternating, best kept). Prints
 * events/s, req/s, p99 latency, the service's share of the ceiling and peak RSS. DATABASE_URL picks the server; without it an
 * embedded PostgreSQL is started under .data/bench-postgres. BENCH_SECONDS sets each run's
 * length (default 10), BENCH_CONNECTIONS the concurrency (default 50).
 */
import { loadavg } from 'node:os';
import autocannon, { type RequestParams, type Result } from 'autocannon';
import pg from 'pg';
import {
  batch,
  benchDatabase,
  otlpBatch,
  otlpBatches,
  peakRssMb,
  startRawServer,
  startService,
  stopChild,
} from './service-harness.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const poolSize = process.env.DB_POOL_SIZE ?? '10';

/**
 * cycling sends the bodies in turn, one per request. The JSON runs go through it too (with
 * their one body), so every ingest run costs autocannon the same per request.
 */
function cycling(bodies: Array<string | Buffer>) {
  let next = 0;
  return [
    {
      setupRequest: (request: RequestParams) => ({
        ...request,
        body: bodies[next++ % bodies.length]!,
      }),
    },
  ];
}

async function ingest(port: number): Promise<Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}/v1/logs`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: batch,
    requests: cycling([batch]),
    connections,
    duration: seconds,
  });
}

async function otlpIngest(port: number): Promise<Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}/v1/otlp/logs`,
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: otlpBatch,
    requests: cycling(otlpBatches),
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
  const service = await startService(database.url, poolSize);
  const raw = await startRawServer(database.url, poolSize);
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
      url: `http://127.0.0.1:${service.port}/v1/otlp/logs`,
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: otlpBatch,
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
    // ingest rounds of JSON, OTLP, ceiling, twice: a kind's two runs are apart, so one burst
    // of load from elsewhere cannot spoil both
    let serviceIngest = await best(() => ingest(service.port), 100);
    let serviceOtlp = await best(() => otlpIngest(service.port), 100);
    let rawIngest = await best(() => ingest(raw.port), 100);
    serviceIngest = pick(serviceIngest, await best(() => ingest(service.port), 100));
    serviceOtlp = pick(serviceOtlp, await best(() => otlpIngest(service.port), 100));
    rawIngest = pick(rawIngest, await best(() => ingest(raw.port), 100));
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
      `| OTLP protobuf ingest (events/s, 100/export) | ${serviceOtlp.perSecond} | (JSON ceiling ${rawIngest.perSecond}) | ${(serviceOtlp.perSecond / rawIngest.perSecond).toFixed(2)} | ${serviceOtlp.p99} | ${rawIngest.p99} | ${serviceOtlp.non2xx + serviceOtlp.errors} |`,
    );
    console.log(
      `\nOTLP protobuf / service JSON ingest: ${(serviceOtlp.perSecond / serviceIngest.perSecond).toFixed(2)} (${otlpBatch.length} bytes per export, ${Buffer.byteLength(batch)} per JSON batch, ${otlpBatches.length} distinct exports)`,
    );
    console.log(
      `\npeak RSS: service ${peakRssMb(service.child.pid)} MB, raw server ${peakRssMb(raw.child.pid)} MB`,
    );
    console.log(
      `load average after: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await stopChild(service.child);
    await stopChild(raw.child);
    await database.stop();
  }
}

main().catch((err: unknown) => {
  console.error('service benchmark failed:', err);
  process.exitCode = 1;
});
