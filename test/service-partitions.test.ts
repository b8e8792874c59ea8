/**
 * The time-partitioned log_event against a real PostgreSQL: the migration from the
 * unpartitioned table keeps every row, events make their partition on demand, retention drops
 * expired partitions whole and keeps every row of the others, and with a read replica
 * configured the queries go to the reader and the writes to the writer (two databases stand in
 * for the two servers).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../service/config.ts';
import { type Database, openDatabase } from '../service/db.ts';
import { runRetention } from '../service/retention.ts';
import { ensureAhead } from '../service/store/partitions.ts';
import {
  countRows,
  createTestDatabase,
  openTestDatabase,
  partitionNames,
  postLogs,
  serveApp,
  type TestDatabase,
} from './fixtures/service/harness.ts';

const dayMs = 86_400_000;

async function countsByDay(db: Database): Promise<Record<string, number>> {
  const rows = await db.query<{ day: string; count: number }>(
    `select to_char(ts at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as count
     from log_event group by 1 order by 1`,
  );
  return Object.fromEntries(rows.map((row) => [row.day, row.count]));
}

describe('migration from the unpartitioned table', () => {
  let database: TestDatabase;
  let db: Database;
  before(async () => {
    database = await createTestDatabase('partition_migration');
    db = await openDatabase(loadConfig({ DATABASE_URL: database.url }).database!);
  });
  after(async () => {
    await db?.close();
    await database?.drop();
  });

  test('every row is copied with its id into one partition per day, client ids still unique', async () => {
    await db.orm.getMigrator().up({ to: 'Migration20261201000000' });
    // 5,000 events over 5 days, every third with a client id, one with trace and source
    await db.query(`insert into log_source (id, resource) values
      ('0b6f8a5e-2c1d-4e3f-9a7b-1c2d3e4f5a6b', '{"service.name":"web"}')`);
    await db.query(
      `insert into log_event (client_id, ts, service, level, message, attributes, trace_id, source_id)
       select case when n % 3 = 0 then 'c-' || n end,
              timestamptz '2026-11-25T00:00:00Z' + n * interval '86 seconds',
              'svc-' || (n % 4), n % 6, 'message ' || n, jsonb_build_object('n', n),
              case when n = 7 then decode('5b8efff798038103d269b633813fc60c', 'hex') end,
              case when n = 7 then '0b6f8a5e-2c1d-4e3f-9a7b-1c2d3e4f5a6b'::uuid end
       from generate_series(1, 5000) as n`,
    );
    const before = await db.query<{ count: number; ids: string; days: number }>(
      `select count(*)::int as count, sum(id)::text as ids,
              count(distinct date_trunc('day', ts, 'UTC'))::int as days from log_event`,
    );
    const beforeDays = await countsByDay(db);
    const beforeRows = await db.query<{ digest: string }>(
      `select md5(string_agg(id || client_id || ts || service || level || message || attributes::text, ',' order by id)) as digest from log_event where client_id is not null`,
    );

    assert.deepStrictEqual(await db.migrate(), ['Migration20261202000000']);

    const afterRows = await db.query<{ count: number; ids: string }>(
      'select count(*)::int as count, sum(id)::text as ids from log_event',
    );
    assert.deepStrictEqual(afterRows[0], { count: before[0]!.count, ids: before[0]!.ids });
    assert.equal(before[0]!.count, 5000);
    assert.deepStrictEqual(await countsByDay(db), beforeDays);
    const afterDigest = await db.query<{ digest: string }>(
      `select md5(string_agg(id || client_id || ts || service || level || message || attributes::text, ',' order by id)) as digest from log_event where client_id is not null`,
    );
    assert.deepStrictEqual(afterDigest, beforeRows);
    assert.equal((await partitionNames(db)).length, before[0]!.days);
    const [traced] = await db.query<{ trace: string; source: string }>(
      `select encode(trace_id, 'hex') as trace, source_id::text as source from log_event where message = 'message 7'`,
    );
    assert.deepStrictEqual(traced, {
      trace: '5b8efff798038103d269b633813fc60c',
      source: '0b6f8a5e-2c1d-4e3f-9a7b-1c2d3e4f5a6b',
    });

    const running = await serveApp({ db });
    try {
      const resent = await postLogs(running.baseUrl, [
        { id: 'c-3', service: 'svc-3', level: 'info', message: 'resent after the migration' },
        { id: 'c-new', service: 'svc-3', level: 'info', message: 'new after the migration' },
      ]);
      assert.deepStrictEqual(resent.body, { received: 2, stored: 1, duplicates: 1 });
    } finally {
      await running.close();
    }
    const [newest] = await db.query<{ id: string }>(
      `select id::text from log_event where client_id = 'c-new'`,
    );
    assert.ok(BigInt(newest!.id) > 5000n, `new ids continue above the copied ones: ${newest!.id}`);
  });
});

describe('partitions and retention', () => {
  let database: TestDatabase;
  let db: Database;
  before(async () => {
    database = await createTestDatabase('partitions');
    db = await openTestDatabase(database.url);
  });
  after(async () => {
    await db?.close();
    await database?.drop();
  });

  test('an event of a day without a partition makes it, once, under concurrent batches', async () => {
    const running = await serveApp({ db });
    try {
      const batch = (n: number) =>
        Array.from({ length: 20 }, (_, index) => ({
          service: 'ondemand',
          level: 'info',
          message: `event ${n}.${index}`,
          timestamp: `2024-02-${String(10 + (index % 3)).padStart(2, '0')}T12:00:00.000001Z`,
        }));
      const responses = await Promise.all(
        [1, 2, 3, 4].map((n) => postLogs(running.baseUrl, batch(n))),
      );
      assert.deepStrictEqual(
        responses.map((response) => [response.status, response.body.stored]),
        [
          [202, 20],
          [202, 20],
          [202, 20],
          [202, 20],
        ],
      );
    } finally {
      await running.close();
    }
    const names = await partitionNames(db);
    for (const day of ['20240210', '20240211', '20240212']) {
      assert.ok(names.includes(`log_event_p${day}`), `partition of ${day} in ${names.join(', ')}`);
    }
    const indexes = await db.query<{ count: number }>(
      `select count(*)::int as count from pg_indexes where tablename = 'log_event_p20240210'`,
    );
    assert.equal(indexes[0]!.count, 6, 'the key and the five indexes of log_event');
  });

  test('expired partitions are dropped, current ones kept with every row', async () => {
    const now = Date.parse('2026-06-10T12:00:00Z');
    const running = await serveApp({ db });
    try {
      // 10 days of events, 3 per hour, with client ids
      const events = Array.from({ length: 10 * 24 * 3 }, (_, n) => ({
        id: `retention-${n}`,
        service: 'retention',
        level: 'info',
        message: `event ${n}`,
        timestamp: new Date(now - 9.5 * dayMs + n * 1_200_000).toISOString(),
      }));
      for (let start = 0; start < events.length; start += 200) {
        const response = await postLogs(running.baseUrl, events.slice(start, start + 200));
        assert.equal(response.status, 202);
      }
    } finally {
      await running.close();
    }
    const before = await countsByDay(db);
    const total = await countRows(db);
    const result = await runRetention(db, { retentionDays: 4, now });

    // the cutoff is 2026-06-06T12:00Z: days ending by then go, the day holding it stays whole
    const expired = [
      '2024-02-10',
      '2024-02-11',
      '2024-02-12',
      ...['01', '02', '03', '04', '05'].map((d) => `2026-06-${d}`),
    ];
    assert.deepStrictEqual(
      result.dropped,
      expired.map((day) => `log_event_p${day.replaceAll('-', '')}`),
    );
    assert.deepStrictEqual(
      result.created,
      ['11', '12', '13'].map((d) => `log_event_p202606${d}`),
      'the periods ahead of now (today had events already)',
    );
    const kept = Object.fromEntries(
      Object.entries(before).filter(([day]) => !expired.includes(day)),
    );
    assert.deepStrictEqual(await countsByDay(db), kept);
    assert.equal(
      await countRows(db),
      total - expired.reduce((sum, day) => sum + (before[day] ?? 0), 0),
    );
    const names = await partitionNames(db);
    assert.ok(!names.some((name) => expired.some((day) => name.endsWith(day.replaceAll('-', '')))));
    const [bookkept] = await db.query<{ count: number }>(
      'select count(*)::int as count from log_partition',
    );
    assert.equal(bookkept!.count, names.length, 'log_partition lists exactly the attached ones');
    const [ledger] = await db.query<{ oldest: string }>(
      `select to_char(min(ts) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as oldest from log_client_id`,
    );
    assert.ok(
      ledger!.oldest >= '2026-06-06T12:00',
      `client ids of dropped days forgotten: ${ledger!.oldest}`,
    );

    const [policy] = await db.query<Record<string, unknown>>(
      `select name, retention_days, partition_interval, ahead_periods, last_dropped from retention_policy`,
    );
    assert.deepStrictEqual(policy, {
      name: 'log_event',
      retention_days: 4,
      partition_interval: 'day',
      ahead_periods: 3,
      last_dropped: result.dropped,
    });

    const again = await runRetention(db, { retentionDays: 4, now });
    assert.deepStrictEqual([again.dropped, again.created], [[], []]);
  });

  test('hourly partitions when PARTITION_INTERVAL=hour', async () => {
    const hourly = await openDatabase(
      loadConfig({ DATABASE_URL: database.url, PARTITION_INTERVAL: 'hour' }).database!,
    );
    try {
      const running = await serveApp({ db: hourly });
      try {
        const response = await postLogs(running.baseUrl, {
          service: 'hourly',
          level: 'info',
          message: 'one hour',
          timestamp: '2025-03-04T05:06:07Z',
        });
        assert.equal(response.status, 202);
      } finally {
        await running.close();
      }
      assert.ok((await partitionNames(hourly)).includes('log_event_p2025030405'));
    } finally {
      await hourly.close();
    }
  });
});

describe('read replica', () => {
  let writer: TestDatabase;
  let reader: TestDatabase;
  let db: Database;
  before(async () => {
    writer = await createTestDatabase('writer');
    reader = await createTestDatabase('reader');
    // the reader gets the same schema, as a replica would have
    const readerDb = await openTestDatabase(reader.url);
    await ensureAhead(readerDb, Date.now(), 'day', 1);
    await readerDb.close();
    db = await openDatabase(
      loadConfig({ DATABASE_URL: writer.url, DATABASE_READ_URL: reader.url }).database!,
    );
    await db.migrate();
  });
  after(async () => {
    await db?.close();
    await writer?.drop();
    await reader?.drop();
  });

  test('ingestion writes to the writer; pages, search, stats and services read the reader', async () => {
    const readerClient = new pg.Client({ connectionString: reader.url });
    await readerClient.connect();
    try {
      await readerClient.query(
        `insert into log_event (ts, service, level, message) values
         (now(), 'on-reader', 4, 'replicated event with a findable word')`,
      );
      const running = await serveApp({ db });
      try {
        const posted = await postLogs(running.baseUrl, {
          service: 'on-writer',
          level: 'error',
          message: 'written event with a findable word',
        });
        assert.equal(posted.status, 202);
        const writerRows = await db.query<{ service: string }>('select service from log_event');
        const readerRows = await readerClient.query<{ service: string }>(
          'select service from log_event',
        );
        assert.deepStrictEqual(
          [writerRows.map((row) => row.service), readerRows.rows.map((row) => row.service)],
          [['on-writer'], ['on-reader']],
        );
        const get = async (path: string) => (await fetch(`${running.baseUrl}${path}`)).json();
        const page = (await get('/v1/logs')) as { events: Array<{ service: string }> };
        const search = (await get('/v1/logs?q=findable')) as { events: Array<{ service: string }> };
        const services = (await get('/v1/services')) as { services: string[] };
        const since = new Date(Date.now() - 3_600_000).toISOString();
        const until = new Date(Date.now() + 3_600_000).toISOString();
        const stats = (await get(`/v1/logs/stats?bucket=1h&since=${since}&until=${until}`)) as {
          buckets: Array<{ total: number }>;
        };
        assert.deepStrictEqual(
          [
            page.events.map((event) => event.service),
            search.events.map((event) => event.service),
            services.services,
            stats.buckets.reduce((sum, bucket) => sum + bucket.total, 0),
          ],
          [['on-reader'], ['on-reader'], ['on-reader'], 1],
        );
      } finally {
        await running.close();
      }
    } finally {
      await readerClient.end();
    }
  });
});
