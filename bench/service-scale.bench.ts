/**
 * The log store at scale (npm run bench:scale): for each size in SCALE_ROWS (default
 * "1000000,50000000") a fresh database log_scale_<rows> gets 30 days of events generated
 * straight into PostgreSQL (INSERT ... SELECT generate_series, one day's partition at a time, in
 * chunks, newest day first; each day is loaded into a plain table, indexed, then attached, the
 * way a bulk load is done), and then measures, through the service's own store functions:
 * - ingest: batches of 1000 events through insertEvents (the service's real ingest statement)
 *   into the current day's partition, events/s (best of 3 rounds);
 * - page queries: newest page, one service, errors only, a page deep in the past (keyset), p50/p99;
 * - full-text queries (q) with and without a time range, p50/p99;
 * - the time to drop the oldest day's partition (retention).
 * The generating backend is reniced to 19 (it is not a child of this process). SCALE_DEADLINE
 * (an ISO time) stops generating at that time and measures the size reached. Each database is
 * dropped afterwards unless SCALE_KEEP=1. DATABASE_URL names the server (required).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import pg from 'pg';
import { loadConfig } from '../service/config.ts';
import { type Database, openDatabase } from '../service/db.ts';
import { insertEvents } from '../service/store/insert-events.ts';
import { listEventsJson } from '../service/store/list-events.ts';
import { partitionName, partitionRecordSql } from '../service/store/partition-ranges.ts';
import { dropExpired } from '../service/store/partitions.ts';
import type { NewEvent } from '../service/validate-events.ts';

const dayMs = 86_400_000;
const days = 30;
const chunkRows = 250_000;
const sizes = (process.env.SCALE_ROWS ?? '1000000,50000000').split(',').map(Number);
const deadline = process.env.SCALE_DEADLINE ? Date.parse(process.env.SCALE_DEADLINE) : Infinity;
const serverUrl = process.env.DATABASE_URL;

const log = (message: string) =>
  console.log(`${new Date().toISOString().slice(11, 19)} ${message}`);

/** rowSql generates the rows numbered $1 to $2 of the day starting at $3, $4 rows per day. */
const rowSql = (
  table: string,
) => `insert into "${table}" (id, ts, received_at, service, level, message, attributes)
select n,
  to_timestamp($3::float8 / 1000) + ((n - $1) * (86400.0 / $4)) * interval '1 second',
  to_timestamp($3::float8 / 1000) + ((n - $1) * (86400.0 / $4)) * interval '1 second',
  'service-' || (n % 20),
  (array[0,1,2,2,2,2,3,3,4,5])[1 + (n * 7) % 10],
  (array['GET','POST','PUT','DELETE','PATCH'])[1 + n % 5] || ' /api/'
    || (array['orders','users','payments','carts','invoices','search'])[1 + (n / 5) % 6] || '/' || (n % 100003) || ' '
    || case
         when n % 1009 = 0 then 'deadlock detected, transaction rolled back and retried'
         else (array['completed','timeout talking to payments gateway','retrying after connection reset by peer',
                     'cache miss for key session','validation failed: missing field email','completed with warnings',
                     'upstream returned 503 service unavailable'])[1 + (n / 11) % 7]
       end
    || ' in ' || ((n * 37) % 2000) || ' ms user=' || (n % 9973),
  jsonb_build_object('status', (array[200,200,200,201,204,400,404,500,503])[1 + n % 9], 'user', n % 9973)
from generate_series($1::bigint, $2::bigint) as n`;

/** generate loads `rows` events over `days` days ending today; returns the rows made. */
async function generate(
  url: string,
  rows: number,
  end: number,
): Promise<{ rows: number; days: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const [{ pid }] = (await client.query<{ pid: number }>('select pg_backend_pid() as pid'))
    .rows as [{ pid: number }];
  try {
    execFileSync('renice', ['-n', '19', '-p', String(pid)], { stdio: 'ignore' });
  } catch {
    log(`could not renice backend ${pid}`);
  }
  await client.query("set maintenance_work_mem = '512MB'");
  await client.query('set synchronous_commit = off');
  const indexes = (
    await client.query<{ name: string; def: string }>(
      `select indexname as name, indexdef as def from pg_indexes
       where tablename = 'log_event' and indexname <> 'log_event_pkey'`,
    )
  ).rows;
  const perDay = Math.ceil(rows / days);
  let made = 0;
  let dayCount = 0;
  for (let day = 0; day < days && made < rows; day++) {
    if (Date.now() > deadline) {
      log(`deadline reached after ${dayCount} days`);
      break;
    }
    const start = end - (day + 1) * dayMs;
    const range = { start, end: start + dayMs };
    const table = partitionName(range);
    const first = made + 1;
    const count = Math.min(perDay, rows - made);
    const started = performance.now();
    await client.query(
      `create table "${table}" (like log_event including defaults including constraints)`,
    );
    for (let from = first; from < first + count; from += chunkRows) {
      const to = Math.min(from + chunkRows - 1, first + count - 1);
      await client.query(rowSql(table), [from, to, start, count]);
    }
    await client.query(`alter table "${table}" add primary key (ts, id)`);
    for (const [index, { def }] of indexes.entries()) {
      // the parent's definition on the day's table, so the attach adopts it instead of building
      await client.query(
        def.replace(
          /^CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+/,
          `CREATE $1INDEX "${table}_${index}" ON "${table}"`,
        ),
      );
    }
    const from = new Date(range.start).toISOString();
    const to = new Date(range.end).toISOString();
    await client.query(
      `alter table "${table}" add constraint "${table}_bounds" check (ts >= '${from}' and ts < '${to}')`,
    );
    await client.query(
      `alter table log_event attach partition "${table}" for values from ('${from}') to ('${to}')`,
    );
    await client.query(`alter table "${table}" drop constraint "${table}_bounds"`);
    await client.query(partitionRecordSql(range));
    made += count;
    dayCount++;
    log(
      `day ${day + 1}/${days}: ${count} rows in ${((performance.now() - started) / 1000).toFixed(0)} s (${made} total)`,
    );
  }
  await client.query(`select setval('log_event_id_seq', $1)`, [made + 1]);
  await client.query('analyze log_event');
  await client.end();
  return { rows: made, days: dayCount };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed(work: () => Promise<unknown>, times: number): Promise<number[]> {
  const durations: number[] = [];
  for (let n = 0; n < times; n++) {
    const started = performance.now();
    await work();
    durations.push(performance.now() - started);
  }
  return durations;
}

function ingestBatch(round: number, batch: number): NewEvent[] {
  const now = Date.now();
  return Array.from({ length: 1000 }, (_, n) => ({
    clientId: null,
    timestamp: new Date(now - n).toISOString(),
    service: `service-${n % 20}`,
    level: 2,
    message: `POST /api/orders/${round}-${batch}-${n} completed in ${n % 700} ms user=${n % 9973}`,
    attributes: `{"status":200,"user":${n % 9973}}`,
    traceId: null,
    spanId: null,
    sourceId: null,
  }));
}

interface Figures {
  rows: number;
  days: number;
  sizeGb: number;
  ingestPerSecond: number;
  page: { p50: number; p99: number };
  pageKinds: Record<string, { p50: number; p99: number }>;
  search: { p50: number; p99: number };
  searchKinds: Record<string, { p50: number; p99: number }>;
  dropMs: number;
}

const stats = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });

async function measure(
  db: Database,
  end: number,
  generated: { rows: number; days: number },
): Promise<Figures> {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (let batch = 0; batch < 20; batch++) await insertEvents(db, ingestBatch(round, batch));
    best = Math.max(best, 20_000 / ((performance.now() - started) / 1000));
  }
  // a position deep in the past: the oldest generated day's noon
  const deep = new Date(end - (generated.days - 0.5) * dayMs)
    .toISOString()
    .replace(/\.\d+Z$/, '.000000Z');
  const pages: Record<string, Parameters<typeof listEventsJson>[1]> = {
    newest: { limit: 100 },
    'one service': { limit: 100, service: 'service-7' },
    'errors only': { limit: 100, minLevel: 4 },
    'keyset, oldest day': { limit: 100, after: { timestamp: deep, id: '9223372036854775807' } },
    'last hour, one service': {
      limit: 100,
      service: 'service-3',
      since: new Date(end - 3_600_000).toISOString(),
    },
  };
  const searches: Record<string, Parameters<typeof listEventsJson>[1]> = {
    'common words (payments timeout)': { limit: 100, q: 'payments timeout' },
    'rare word (deadlock)': { limit: 100, q: 'deadlock' },
    'rare word, last 24 h': {
      limit: 100,
      q: 'deadlock',
      since: new Date(end - dayMs).toISOString(),
    },
    'phrase and service, 7 days': {
      limit: 100,
      q: '"connection reset"',
      service: 'service-4',
      since: new Date(end - 7 * dayMs).toISOString(),
    },
  };
  const run = async (
    filters: Record<string, Parameters<typeof listEventsJson>[1]>,
    times: number,
  ) => {
    const all: number[] = [];
    const kinds: Record<string, { p50: number; p99: number }> = {};
    for (const [name, filter] of Object.entries(filters)) {
      await listEventsJson(db, filter); // warm
      const durations = await timed(() => listEventsJson(db, filter), times);
      kinds[name] = stats(durations);
      all.push(...durations);
    }
    return { all: stats(all), kinds };
  };
  const page = await run(pages, 100);
  const search = await run(searches, 50);
  const [size] = await db.query<{ bytes: string }>(
    'select pg_database_size(current_database())::text as bytes',
  );
  const oldestEnd = new Date(end - (generated.days - 1) * dayMs);
  const dropped = await dropExpired(db, oldestEnd);
  if (dropped.dropped.length !== 1)
    throw new Error(`expected one partition dropped, got ${dropped.dropped}`);
  return {
    ...generated,
    sizeGb: Number(size!.bytes) / 1e9,
    ingestPerSecond: best,
    page: page.all,
    pageKinds: page.kinds,
    search: search.all,
    searchKinds: search.kinds,
    dropMs: dropped.longestDropMs,
  };
}

async function runSize(rows: number): Promise<Figures> {
  const name = `log_scale_${rows}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  const db = await openDatabase(loadConfig({ DATABASE_URL: url.toString() }).database!);
  try {
    await db.migrate();
    // the day holding now is the newest generated day, so ingest lands in a full partition
    const end = Math.floor(Date.now() / dayMs) * dayMs + dayMs;
    const started = performance.now();
    const generated = await generate(url.toString(), rows, end);
    log(
      `generated ${generated.rows} rows over ${generated.days} days in ${((performance.now() - started) / 60000).toFixed(1)} min`,
    );
    return await measure(db, end, generated);
  } finally {
    await db.close();
    if (process.env.SCALE_KEEP !== '1') {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    }
  }
}

async function main(): Promise<void> {
  if (!serverUrl) throw new Error('DATABASE_URL must name the PostgreSQL server');
  const results: Figures[] = [];
  for (const rows of sizes) {
    const figures = await runSize(rows);
    results.push(figures);
    console.log(JSON.stringify(figures));
  }
  const ms = (value: number) => value.toFixed(1);
  console.log(
    `\nload average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    '| rows | days | size GB | ingest events/s | page p50 / p99 ms | full-text p50 / p99 ms | drop a day ms |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.rows.toLocaleString('en')} | ${r.days} | ${r.sizeGb.toFixed(1)} | ${Math.round(r.ingestPerSecond)} | ${ms(r.page.p50)} / ${ms(r.page.p99)} | ${ms(r.search.p50)} / ${ms(r.search.p99)} | ${ms(r.dropMs)} |`,
    );
  }
  for (const r of results) {
    console.log(`\n${r.rows.toLocaleString('en')} rows, per query (p50 / p99 ms):`);
    for (const [name, s] of Object.entries({ ...r.pageKinds, ...r.searchKinds })) {
      console.log(`- ${name}: ${ms(s.p50)} / ${ms(s.p99)}`);
    }
  }
  if (results.length > 1) {
    const [small, large] = [results[0]!, results.at(-1)!];
    console.log(
      `\ningest at ${large.rows} / at ${small.rows}: ${(large.ingestPerSecond / small.ingestPerSecond).toFixed(2)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error('scale bench failed:', err);
  process.exitCode = 1;
});
