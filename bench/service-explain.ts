/**
 * Query plans of the service on 1M events (node --import tsx bench/service-explain.ts): seeds
 * log_event in database log_explain with a million rows over 30 days, then prints EXPLAIN
 * (ANALYZE, BUFFERS) of every query the API runs and times one retention pass that drops a
 * day's partition. DATABASE_URL picks the server, otherwise an embedded one is used.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../service/config.ts';
import { openDatabase } from '../service/db.ts';
import { startEmbeddedPostgres } from '../service/embedded-db.ts';
import { dropExpired, ensurePartitions } from '../service/store/partitions.ts';
import { freePort } from '../test/helpers/moto.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const rows = Number(process.env.EXPLAIN_ROWS ?? 1_000_000);

async function main(): Promise<void> {
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
  await admin.query('drop database if exists log_explain with (force)');
  await admin.query('create database log_explain');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/log_explain';
  const db = await openDatabase(loadConfig({ DATABASE_URL: url.toString() }).database!);
  await db.migrate();
  const end = Date.parse('2026-11-28T00:00:00Z');
  let started = performance.now();
  await ensurePartitions(
    db,
    Array.from({ length: 31 }, (_, n) => end - n * 86_400_000),
    'day',
  );
  const seeder = new pg.Client({ connectionString: url.toString() });
  await seeder.connect();
  await seeder.query(
    `insert into log_event (ts, service, level, message, attributes)
     select to_timestamp($1::double precision / 1000) - (n * (30 * 86400.0 / $2)) * interval '1 second',
            'service-' || (n % 20),
            (array[0,1,2,2,2,2,3,3,4,5])[1 + (n / 3) % 10],
            (array['GET','POST','PUT','DELETE'])[1 + n % 4] || ' /api/orders/' || n || ' '
              || (array['completed','timeout talking to payments','retrying','connection reset by peer','cache miss'])[1 + (n / 7) % 5]
              || ' in ' || (n % 997) || ' ms',
            jsonb_build_object('status', 200 + (n % 5) * 100, 'user', n % 5000)
     from generate_series(1, $2) as n`,
    [end, rows],
  );
  await seeder.query('vacuum analyze log_event');
  await seeder.end();
  console.log(`seeded ${rows} rows in ${Math.round(performance.now() - started)} ms`);
  const day = (offset: number) => new Date(end - offset * 86_400_000).toISOString();
  const cursorRow = await db.query<{ ts: string; id: string }>(
    `select to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ts, id::text from log_event order by ts desc, id desc offset 5000 limit 1`,
  );
  const plans: Array<[string, string, unknown[]]> = [
    ['newest page (no filter)', 'select * from log_event order by ts desc, id desc limit 101', []],
    [
      'next page after 5000 events (keyset)',
      'select * from log_event where (ts, id) < ($1::timestamptz, $2::bigint) order by ts desc, id desc limit 101',
      [cursorRow[0]?.ts, cursorRow[0]?.id],
    ],
    [
      'time range, last hour',
      'select * from log_event where ts >= $1::timestamptz and ts < $2::timestamptz order by ts desc, id desc limit 101',
      [new Date(end - 3_600_000).toISOString(), new Date(end).toISOString()],
    ],
    [
      'one service, level >= error',
      'select * from log_event where service = $1 and level >= 4 order by ts desc, id desc limit 101',
      ['service-7'],
    ],
    [
      'full-text q=timeout over 7 days',
      `select * from log_event where to_tsvector('simple', message) @@ websearch_to_tsquery('simple', $1) and ts >= $2::timestamptz order by ts desc, id desc limit 101`,
      ['payments timeout', day(7)],
    ],
    [
      'stats, 1h buckets over 24h',
      `select date_trunc('hour', ts at time zone 'UTC') as bucket, level, count(*) from log_event where ts >= $1::timestamptz and ts < $2::timestamptz group by 1, 2`,
      [day(1), day(0)],
    ],
  ];
  for (const [name, sql, params] of plans) {
    const plan = await db.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers, costs off) ${sql}`,
      params,
    );
    console.log(`\n-- ${name}\n${plan.map((row) => row['QUERY PLAN']).join('\n')}`);
  }
  started = performance.now();
  const result = await dropExpired(db, new Date(day(29)));
  console.log(
    `\nretention: dropped ${result.dropped.join(', ')} in ${Math.round(performance.now() - started)} ms total, longest ${Math.round(result.longestDropMs)} ms`,
  );
  await db.close();
  await stopServer();
}

main().catch((err: unknown) => {
  console.error('explain failed:', err);
  process.exitCode = 1;
});
