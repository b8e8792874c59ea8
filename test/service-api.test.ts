/**
 * The log service's HTTP API against a real PostgreSQL: ingestion (single, batch, NDJSON),
 * idempotent retries, pagination under concurrent inserts, full-text search, stats buckets,
 * error statuses, OpenAPI, metrics and retention.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Database } from '../service/db.ts';
import { Limiter } from '../service/limiter.ts';
import { runRetention } from '../service/retention.ts';
import {
  countRows,
  postLogs,
  type RunningApp,
  serveApp,
  startTestService,
  type TestService,
} from './fixtures/service/harness.ts';

let service: TestService;
let db: Database;
let running: RunningApp;

before(async () => {
  service = await startTestService('api', 4, { bodyLimitBytes: 64 * 1024 });
  ({ db, running } = service);
});

after(async () => {
  await service?.close();
});

interface Page {
  events: Array<{ id: string; service: string; level: string; message: string; timestamp: string }>;
  nextCursor: string | null;
}

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${running.baseUrl}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

async function serviceRows(service: string): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    'select count(*)::int as count from log_event where service = $1',
    [service],
  );
  return row?.count ?? 0;
}

describe('ingestion', () => {
  test('single, batch and NDJSON bodies are stored and acknowledged with 202', async () => {
    const single = await postLogs(running.baseUrl, {
      service: 'ingest',
      level: 'info',
      message: 'one event',
      attributes: { user: { id: 7 } },
    });
    const batch = await postLogs(running.baseUrl, [
      { service: 'ingest', level: 'warn', message: 'batch 1' },
      {
        service: 'ingest',
        level: 'error',
        message: 'batch 2',
        timestamp: '2026-01-02T03:04:05.123456Z',
      },
    ]);
    const ndjson = await postLogs(
      running.baseUrl,
      '{"service":"ingest","level":"debug","message":"line 1"}\n\n{"service":"ingest","level":"fatal","message":"line 2"}\n',
      'application/x-ndjson',
    );
    assert.deepStrictEqual(
      [single, batch, ndjson].map((r) => [r.status, r.body.stored]),
      [
        [202, 1],
        [202, 2],
        [202, 2],
      ],
    );
    assert.equal(await serviceRows('ingest'), 5);
    const { body } = await getJson<Page>('/v1/logs?service=ingest&q=batch&limit=10');
    assert.deepStrictEqual(body.events.map((e) => [e.message, e.level, e.timestamp]).at(-1), [
      'batch 2',
      'error',
      '2026-01-02T03:04:05.123456Z',
    ]);
  });

  test('a resent batch with client ids is not stored twice', async () => {
    const events = [1, 2, 3].map((n) => ({
      id: `retry-${n}`,
      service: 'retry',
      level: 'info',
      message: `attempt ${n}`,
    }));
    const first = await postLogs(running.baseUrl, events);
    const second = await postLogs(running.baseUrl, events);
    const overlapping = await postLogs(running.baseUrl, [
      ...events.slice(1),
      { id: 'retry-4', service: 'retry', level: 'info', message: 'attempt 4' },
    ]);
    assert.deepStrictEqual(
      [first.body, second.body, overlapping.body],
      [
        { received: 3, stored: 3, duplicates: 0 },
        { received: 3, stored: 0, duplicates: 3 },
        { received: 3, stored: 1, duplicates: 2 },
      ],
    );
    assert.equal(await serviceRows('retry'), 4);
  });

  test('a batch with invalid events is rejected whole with each problem listed', async () => {
    const response = await postLogs(running.baseUrl, [
      { service: 'reject', level: 'info', message: 'fine' },
      { service: 'reject', level: 'loud', message: 'bad level' },
      { service: 'reject', level: 'info', message: 'bad time', timestamp: 'yesterday' },
      { service: 'reject', level: 'info' },
    ]);
    assert.equal(response.status, 400);
    const error = response.body.error as { code: string; details: unknown };
    assert.equal(error.code, 'invalid_events');
    assert.deepStrictEqual(error.details, [
      { index: 1, field: 'level', reason: 'must be one of trace, debug, info, warn, error, fatal' },
      { index: 2, field: 'timestamp', reason: 'must match format "date-time"' },
      { index: 3, field: 'message', reason: 'is required' },
    ]);
    assert.equal(await serviceRows('reject'), 0);
  });

  test('SQL in a message is stored verbatim and harms nothing', async () => {
    const message = `'); drop table log_event; -- " \\ $1 %s`;
    const response = await postLogs(running.baseUrl, {
      service: 'hostile',
      level: 'info',
      message,
    });
    assert.equal(response.status, 202);
    const { body } = await getJson<Page>('/v1/logs?service=hostile');
    assert.deepStrictEqual(
      body.events.map((e) => e.message),
      [message],
    );
  });
});

describe('queries', () => {
  test('five pages read while inserts continue return every event exactly once', async () => {
    const base = Date.parse('2026-06-01T00:00:00Z');
    const seeded = Array.from({ length: 250 }, (_, n) => ({
      service: 'pages',
      level: 'info',
      message: `seeded ${n}`,
      // groups of five share a timestamp, so the id breaks ties
      timestamp: new Date(base + Math.floor(n / 5) * 1000).toISOString(),
    }));
    assert.equal((await postLogs(running.baseUrl, seeded)).status, 202);
    let inserting = true;
    const writer = (async () => {
      let n = 0;
      while (inserting) {
        await postLogs(running.baseUrl, [
          { service: 'pages', level: 'info', message: `live ${n++}` },
          {
            service: 'pages',
            level: 'info',
            message: `live ${n++}`,
            timestamp: '2026-06-01T00:00:20Z',
          },
        ]);
      }
      return n;
    })();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    const until = '2026-06-01T00:01:00Z';
    do {
      const query: string = `/v1/logs?service=pages&until=${until}&limit=50${cursor ? `&cursor=${cursor}` : ''}`;
      const { status, body } = await getJson<Page>(query);
      assert.equal(status, 200);
      seen.push(...body.events.map((e) => e.message).filter((m) => m.startsWith('seeded')));
      cursor = body.nextCursor;
      pages++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    } while (cursor && pages < 10);
    inserting = false;
    const liveInserted = await writer;
    assert.ok(liveInserted > 0, 'inserts ran during paging');
    assert.ok(pages >= 5, `read ${pages} pages`);
    assert.equal(new Set(seen).size, seen.length, 'no event repeated');
    assert.deepStrictEqual([...seen].sort(), seeded.map((e) => e.message).sort());
  });

  test('pages are newest first and level is a minimum', async () => {
    await postLogs(
      running.baseUrl,
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((level, n) => ({
        service: 'levels',
        level,
        message: `at ${level}`,
        timestamp: `2026-03-01T00:00:0${n}Z`,
      })),
    );
    const cases = [
      { level: 'warn', expected: ['fatal', 'error', 'warn'] },
      { level: 'trace', expected: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] },
      { level: 'fatal', expected: ['fatal'] },
    ];
    for (const { level, expected } of cases) {
      const { body } = await getJson<Page>(`/v1/logs?service=levels&level=${level}`);
      assert.deepStrictEqual(
        body.events.map((e) => e.level),
        expected,
        `level=${level}`,
      );
    }
    const { body } = await getJson<Page>(
      '/v1/logs?service=levels&since=2026-03-01T00:00:02Z&until=2026-03-01T00:00:04Z',
    );
    assert.deepStrictEqual(
      body.events.map((e) => e.level),
      ['warn', 'info'],
    );
  });

  test('q searches the message text', async () => {
    await postLogs(running.baseUrl, [
      { service: 'search', level: 'error', message: 'connection timeout talking to db-1' },
      { service: 'search', level: 'info', message: 'user alice logged in' },
      { service: 'search', level: 'warn', message: 'retrying after Timeout' },
      { service: 'search', level: 'info', message: 'timeouts are configured' },
    ]);
    const cases = [
      { q: 'timeout', expected: ['connection timeout talking to db-1', 'retrying after Timeout'] },
      { q: 'alice logged', expected: ['user alice logged in'] },
      { q: '"after timeout"', expected: ['retrying after Timeout'] },
      { q: 'timeout -connection', expected: ['retrying after Timeout'] },
      { q: 'nothing-matches-this', expected: [] },
    ];
    for (const { q, expected } of cases) {
      const { body } = await getJson<Page>(`/v1/logs?service=search&q=${encodeURIComponent(q)}`);
      assert.deepStrictEqual(body.events.map((e) => e.message).sort(), expected.sort(), `q=${q}`);
    }
  });

  test('stats count events per bucket and level, empty buckets included', async () => {
    await postLogs(running.baseUrl, [
      { service: 'stats', level: 'info', message: 'a', timestamp: '2026-04-01T10:05:00Z' },
      { service: 'stats', level: 'info', message: 'b', timestamp: '2026-04-01T10:59:59.999Z' },
      { service: 'stats', level: 'error', message: 'c', timestamp: '2026-04-01T10:30:00Z' },
      { service: 'stats', level: 'warn', message: 'd', timestamp: '2026-04-01T12:00:00Z' },
      { service: 'other', level: 'warn', message: 'e', timestamp: '2026-04-01T12:00:00Z' },
    ]);
    const { status, body } = await getJson<{
      buckets: Array<{ start: string; total: number; counts: Record<string, number> }>;
    }>(
      '/v1/logs/stats?service=stats&bucket=1h&since=2026-04-01T10:00:00Z&until=2026-04-01T13:00:00Z',
    );
    assert.equal(status, 200);
    assert.deepStrictEqual(
      body.buckets.map((b) => [b.start, b.total, b.counts.info, b.counts.warn, b.counts.error]),
      [
        ['2026-04-01T10:00:00Z', 3, 2, 0, 1],
        ['2026-04-01T11:00:00Z', 0, 0, 0, 0],
        ['2026-04-01T12:00:00Z', 1, 0, 1, 0],
      ],
    );
    const daily = await getJson<{ buckets: Array<{ start: string; total: number }> }>(
      '/v1/logs/stats?bucket=1d&since=2026-04-01T00:00:00Z&until=2026-04-02T00:00:00Z',
    );
    assert.deepStrictEqual(daily.body.buckets, [
      {
        start: '2026-04-01T00:00:00Z',
        total: 5,
        counts: { trace: 0, debug: 0, info: 2, warn: 2, error: 1, fatal: 0 },
      },
    ]);
  });
});

describe('errors', () => {
  test('each failure has its status and a JSON error body', async () => {
    const big = JSON.stringify({ service: 'x', level: 'info', message: 'y'.repeat(70 * 1024) });
    const cases: Array<{
      reason: string;
      request: () => Promise<Response>;
      status: number;
      code: string;
    }> = [
      {
        reason: 'unknown route',
        request: () => fetch(`${running.baseUrl}/v2/nothing`),
        status: 404,
        code: 'not_found',
      },
      {
        reason: 'body over the limit',
        request: () =>
          fetch(`${running.baseUrl}/v1/logs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: big,
          }),
        status: 413,
        code: 'payload_too_large',
      },
      {
        reason: 'wrong content type',
        request: () =>
          fetch(`${running.baseUrl}/v1/logs`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: 'hello',
          }),
        status: 415,
        code: 'unsupported_media_type',
      },
      {
        reason: 'bad limit',
        request: () => fetch(`${running.baseUrl}/v1/logs?limit=0`),
        status: 400,
        code: 'invalid_query',
      },
      {
        reason: 'forged cursor',
        request: () => fetch(`${running.baseUrl}/v1/logs?cursor=abc`),
        status: 400,
        code: 'invalid_query',
      },
      {
        reason: 'too many stats buckets',
        request: () =>
          fetch(
            `${running.baseUrl}/v1/logs/stats?bucket=1m&since=2026-01-01T00:00:00Z&until=2026-02-01T00:00:00Z`,
          ),
        status: 400,
        code: 'invalid_query',
      },
    ];
    for (const { reason, request, status, code } of cases) {
      const response = await request();
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.deepStrictEqual([response.status, body.error.code], [status, code], reason);
      assert.ok(!/\n\s+at /.test(body.error.message), `${reason}: no stack trace`);
    }
  });

  test('beyond the in-flight cap and its queue the service answers 429', async () => {
    const limiter = new Limiter(1, 0);
    const shedding = await serveApp({ db, limiter });
    try {
      await limiter.acquire();
      const response = await fetch(`${shedding.baseUrl}/v1/logs?service=x`);
      const body = (await response.json()) as { error: { code: string } };
      assert.deepStrictEqual(
        [response.status, body.error.code, response.headers.get('retry-after')],
        [429, 'overloaded', '1'],
      );
      limiter.release();
      const afterRelease = await fetch(`${shedding.baseUrl}/v1/logs?service=x`);
      assert.equal(afterRelease.status, 200);
    } finally {
      await shedding.close();
    }
  });
});

describe('documents and probes', () => {
  test('openapi.json, healthz, readyz and metrics answer', async () => {
    const openapi = await getJson<{ openapi: string; paths: Record<string, unknown> }>(
      '/openapi.json',
    );
    assert.equal(openapi.body.openapi, '3.1.0');
    assert.deepStrictEqual(Object.keys(openapi.body.paths).sort(), [
      '/healthz',
      '/metrics',
      '/openapi.json',
      '/readyz',
      '/v1/logs',
      '/v1/logs/stats',
      '/v1/otlp/logs',
      '/v1/services',
    ]);
    assert.deepStrictEqual((await getJson('/healthz')).body, { status: 'ok' });
    assert.deepStrictEqual((await getJson('/readyz')).body, { status: 'ready' });
    const metrics = await (await fetch(`${running.baseUrl}/metrics`)).text();
    assert.match(
      metrics,
      /http_requests_total\{method="POST",route="\/v1\/logs",status="202"\} \d+/,
    );
    assert.match(
      metrics,
      /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/readyz",status="200"\}/,
    );
    assert.match(metrics, /log_events_ingested_total [1-9]\d*/);
    assert.match(metrics, /db_pool_connections\{state="max"\} 6/);
  });
});

describe('retention', () => {
  test("an expired day's partition is dropped whole, newer events kept", async () => {
    const old = Array.from({ length: 25 }, (_, n) => ({
      service: 'retention',
      level: 'info',
      message: `old ${n}`,
      timestamp: new Date(Date.parse('2000-01-01T00:00:00Z') + n * 1000).toISOString(),
    }));
    await postLogs(running.baseUrl, [
      ...old,
      { service: 'retention', level: 'info', message: 'new' },
    ]);
    const before = await countRows(db);
    const result = await runRetention(db, {
      retentionDays: 1,
      now: Date.parse('2001-01-02T00:00:00Z'),
    });
    assert.deepStrictEqual(result.dropped, ['log_event_p20000101']);
    assert.equal(await countRows(db), before - 25);
    const { body } = await getJson<Page>('/v1/logs?service=retention');
    assert.deepStrictEqual(
      body.events.map((e) => e.message),
      ['new'],
    );
  });
});

describe('request logs', () => {
  test('one JSON line per request with id, route, status and duration, credentials absent', async () => {
    const lines: string[] = [];
    const capture = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        callback();
      },
    });
    const logged = await serveApp({ db, logger: pino({ level: 'info' }, capture) });
    try {
      const response = await fetch(`${logged.baseUrl}/v1/logs?service=none`, {
        headers: { authorization: 'Bearer secret-token', 'x-request-id': 'req-42' },
      });
      await response.arrayBuffer();
      assert.equal(response.headers.get('x-request-id'), 'req-42');
    } finally {
      await logged.close();
    }
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepStrictEqual(
      parsed.map(({ reqId, method, route, status, msg }) => ({
        reqId,
        method,
        route,
        status,
        msg,
      })),
      [
        {
          reqId: 'req-42',
          method: 'GET',
          route: '/v1/logs',
          status: 200,
          msg: 'request completed',
        },
      ],
    );
    assert.equal(typeof parsed[0]?.durationMs, 'number');
    assert.ok(!lines.join('').includes('secret-token'));
  });
});
