/**
 * CPU per request of the service's hot paths, robust to other load on the machine: a fixed
 * number of requests is sent to the service and to the raw `pg` ceiling, and the CPU time
 * each server process (and its PostgreSQL backends) used is read from /proc before and after.
 * Wall-clock throughput moves with whatever else runs on the host; CPU time per request does
 * not, so this is the number to compare between versions of the service.
 * Run: node --import tsx bench/service-cpu.ts (BENCH_REQUESTS, BENCH_REPEAT, DATABASE_URL).
 * BENCH_VARIANTS=name=path/main.ts,other=... measures several copies of the service side by
 * side, interleaved under the same outside load (PostgreSQL CPU is then not split by variant).
 * Each service also takes the same 100 events as OTLP protobuf exports (POST /v1/otlp/logs),
 * reported as its CPU per export over its CPU per JSON batch of the same round.
 */
import { loadavg } from 'node:os';
import autocannon, { type Options } from 'autocannon';
import pg from 'pg';
import {
  batch,
  benchDatabase,
  cpuMillis,
  otlpBatches,
  startRawServer,
  startService,
  stopChild,
} from './service-harness.ts';

const requests = Number(process.env.BENCH_REQUESTS ?? 3000);
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const poolSize = process.env.DB_POOL_SIZE ?? '10';
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);

async function backendPids(admin: pg.Client, application: string): Promise<number[]> {
  const result = await admin.query<{ pid: number }>(
    "select pid from pg_stat_activity where datname = 'log_bench' and application_name = $1",
    [application],
  );
  return result.rows.map((row) => row.pid);
}

function backendCpu(pids: number[]): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    try {
      cpu.set(pid, cpuMillis(pid));
    } catch {
      // the backend exited
    }
  }
  return cpu;
}

interface Sample {
  node: number;
  db: number;
}

async function measure(
  pid: number | undefined,
  admin: pg.Client,
  application: string,
  options: Options,
  amount: number,
): Promise<Sample> {
  const before = backendCpu(application ? await backendPids(admin, application) : []);
  const nodeBefore = cpuMillis(pid);
  const result = await autocannon({ ...options, amount });
  const nodeAfter = cpuMillis(pid);
  const after = backendCpu(application ? await backendPids(admin, application) : []);
  let db = 0;
  for (const [backend, cpu] of after) db += cpu - (before.get(backend) ?? 0);
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${options.url}: ${result.non2xx} non-2xx and ${result.errors} errors`);
  }
  return { node: (nodeAfter - nodeBefore) / amount, db: application ? db / amount : Number.NaN };
}

// the least of the repeats: load from elsewhere only ever adds CPU time (cache misses, migrations)
const least = (values: number[]) => Math.min(...values);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  console.log(
    `load average before: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  const database = await benchDatabase();
  const variants = (process.env.BENCH_VARIANTS ?? 'service=service/main.ts')
    .split(',')
    .map((item) => item.split('=') as [string, string]);
  const services = [];
  for (const [name, entry] of variants) {
    services.push({ name, ...(await startService(database.url, poolSize, entry)) });
  }
  const raw = await startRawServer(database.url, poolSize);
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    const ingestOptions = (port: number): Options => ({
      url: `http://127.0.0.1:${port}/v1/logs`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: batch,
      connections,
    });
    let nextExport = 0;
    const otlpOptions = (port: number): Options => ({
      url: `http://127.0.0.1:${port}/v1/otlp/logs`,
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: otlpBatches[0]!,
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            body: otlpBatches[nextExport++ % otlpBatches.length]!,
          }),
        },
      ],
      connections,
    });
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const queryOptions = (port: number): Options => ({
      url: `http://127.0.0.1:${port}/v1/logs?since=${since}&until=${until}&limit=100`,
      connections,
    });
    const servers = [
      ...services.map((service) => ({
        name: service.name,
        pid: service.child.pid,
        port: service.port,
        application: services.length === 1 ? 'log-service' : '',
      })),
      { name: 'raw pg', pid: raw.child.pid, port: raw.port, application: 'raw-ceiling' },
    ];
    // warm up JIT and connections; the ingest warm-up also fills the table for the queries
    for (const server of servers) {
      await autocannon({ ...ingestOptions(server.port), amount: 1000 });
      await autocannon({ ...queryOptions(server.port), amount: 2000 });
    }
    await admin.query('analyze log_event');
    const ingestAmount = Math.max(200, Math.round(requests / 3));
    const samples: Record<string, { ingest: Sample[]; query: Sample[]; otlp: Sample[] }> = {};
    for (let round = 0; round < repeat; round++) {
      for (const server of servers) {
        samples[server.name] ??= { ingest: [], query: [], otlp: [] };
        const entry = samples[server.name]!;
        entry.ingest.push(
          await measure(
            server.pid,
            admin,
            server.application,
            ingestOptions(server.port),
            ingestAmount,
          ),
        );
        entry.query.push(
          await measure(server.pid, admin, server.application, queryOptions(server.port), requests),
        );
        if (server.name !== 'raw pg') {
          entry.otlp.push(
            await measure(
              server.pid,
              admin,
              server.application,
              otlpOptions(server.port),
              ingestAmount,
            ),
          );
        }
      }
    }
    console.log(
      `\nCPU ms per request (least of ${repeat}; ${ingestAmount} ingest requests of 100 events, ${requests} page queries of 100 rows, ${connections} connections)`,
    );
    console.log('| server | ingest: node | ingest: PostgreSQL | query: node | query: PostgreSQL |');
    console.log('|---|---|---|---|---|');
    for (const [name, entry] of Object.entries(samples)) {
      const cell = (list: Sample[], key: keyof Sample) =>
        `${least(list.map((s) => s[key])).toFixed(3)} (${list.map((s) => s[key].toFixed(2)).join(', ')})`;
      console.log(
        `| ${name} | ${cell(entry.ingest, 'node')} | ${cell(entry.ingest, 'db')} | ${cell(entry.query, 'node')} | ${cell(entry.query, 'db')} |`,
      );
    }
    // the same round's service and ceiling ran back to back under the same outside load, so
    // their ratio moves much less between runs than either absolute figure
    const ceiling = samples['raw pg']!;
    const show = (list: number[]) =>
      `${median(list).toFixed(2)} (${list.map((n) => n.toFixed(2)).join(', ')})`;
    for (const { name } of services) {
      const ours = samples[name]!;
      const ratios = (key: 'ingest' | 'query') =>
        ours[key].map((sample, round) => sample.node / ceiling[key][round]!.node);
      console.log(
        `${name}: node CPU / raw, median of rounds: ingest ${show(ratios('ingest'))}, query ${show(ratios('query'))}`,
      );
      // the service's own JSON ingest over its OTLP ingest, CPU per 100 events: the OTLP rate
      // the CPU allows, as a share of the JSON rate
      const total = (sample: Sample) => sample.node + (Number.isNaN(sample.db) ? 0 : sample.db);
      const otlpShare = ours.otlp.map(
        (sample, round) => total(ours.ingest[round]!) / total(sample),
      );
      console.log(
        `${name}: OTLP protobuf ingest, node ${show(ours.otlp.map((sample) => sample.node))} and PostgreSQL ${show(ours.otlp.map((sample) => sample.db))} ms per export of 100; JSON / OTLP CPU (node + PostgreSQL), median of rounds: ${show(otlpShare)}`,
      );
    }
    console.log(
      `load average after: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await admin.end();
    for (const service of services) await stopChild(service.child);
    await stopChild(raw.child);
    await database.stop();
  }
}

main().catch((err: unknown) => {
  console.error('service CPU benchmark failed:', err);
  process.exitCode = 1;
});
