/**
 * The ingest window against a real PostgreSQL, in both formats: an event older than the
 * retention or more than the future bound ahead of the clock is refused alone, named by its
 * index, counted in /metrics, and makes no partition; the rest of its batch is stored.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../service/db.ts';
import {
  countRows,
  partitionNames,
  postLogs,
  type RunningApp,
  startTestService,
  type TestService,
} from './fixtures/service/harness.ts';

const dayMs = 86_400_000;
const window = { maxAgeMs: 30 * dayMs, maxFutureMs: 2 * 3_600_000 };

let service: TestService;
let db: Database;
let running: RunningApp;

before(async () => {
  service = await startTestService('ingest_window', 2, { ingestWindow: window });
  ({ db, running } = service);
});

after(async () => {
  await service?.close();
});

/** dayPartition is the name of the daily partition that holds an instant. */
const dayPartition = (iso: string) => `log_event_p${iso.slice(0, 10).replaceAll('-', '')}`;

const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

test('JSON: the events outside the window are refused by index, the rest stored', async () => {
  const partitionsBefore = await partitionNames(db);
  const rowsBefore = await countRows(db);
  const { status, body } = await postLogs(running.baseUrl, [
    { service: 'window', level: 'info', message: 'now', timestamp: at(0) },
    { service: 'window', level: 'info', message: 'last year', timestamp: at(-365 * dayMs) },
    { service: 'window', level: 'info', message: 'without a time' },
    { service: 'window', level: 'info', message: 'year 9999', timestamp: '9999-12-31T00:00:00Z' },
    { service: 'window', level: 'info', message: 'an hour ahead', timestamp: at(3_600_000) },
    { service: 'window', level: 'info', message: 'two years ago', timestamp: at(-730 * dayMs) },
  ]);
  assert.equal(status, 202);
  assert.deepStrictEqual(body, {
    received: 6,
    stored: 3,
    duplicates: 0,
    rejected: 3,
    rejectedEvents: [
      {
        index: 1,
        field: 'timestamp',
        reason: 'is older than the retention of 30 days: it would be dropped at once',
      },
      {
        index: 3,
        field: 'timestamp',
        reason: "is more than 2 hours ahead of the server's clock (INGEST_MAX_FUTURE_SECONDS)",
      },
      {
        index: 5,
        field: 'timestamp',
        reason: 'is older than the retention of 30 days: it would be dropped at once',
      },
    ],
  });
  assert.equal(await countRows(db), rowsBefore + 3);
  const messages = await db.query<{ message: string }>(
    `select message from log_event where service = 'window' order by message`,
  );
  assert.deepStrictEqual(
    messages.map((row) => row.message),
    ['an hour ahead', 'now', 'without a time'],
  );
  // only the days of the stored events got a partition, none of the refused ones did
  const after = await partitionNames(db);
  const made = after.filter((name) => !partitionsBefore.includes(name));
  const storedDays = new Set([dayPartition(at(0)), dayPartition(at(3_600_000))]);
  assert.ok(
    made.every((name) => storedDays.has(name)),
    made.join(', '),
  );
  for (const refused of [at(-365 * dayMs), at(-730 * dayMs), '9999-12-31']) {
    assert.ok(!after.includes(dayPartition(refused)), refused);
  }
});

test('JSON: a batch wholly outside the window stores nothing and is still 202', async () => {
  const { status, body } = await postLogs(running.baseUrl, {
    service: 'window',
    level: 'info',
    message: 'year 1',
    timestamp: '0001-01-01T00:00:00Z',
  });
  assert.equal(status, 202);
  assert.deepStrictEqual([body.stored, body.rejected], [0, 1]);
});

test('OTLP: a record outside the window is rejected alone in partialSuccess', async () => {
  const rowsBefore = await countRows(db);
  const nanos = (offsetMs: number) => `${BigInt(Date.now() + offsetMs) * 1_000_000n}`;
  const response = await fetch(`${running.baseUrl}/v1/otlp/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceLogs: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { stringValue: 'otlp-window' } }],
          },
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: nanos(0), body: { stringValue: 'now' } },
                { timeUnixNano: nanos(-90 * dayMs), body: { stringValue: 'old' } },
                { timeUnixNano: nanos(10 * dayMs), body: { stringValue: 'ahead' } },
                { body: { stringValue: 'without a time' } },
              ],
            },
          ],
        },
      ],
    }),
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as {
    partialSuccess?: { rejectedLogRecords: string; errorMessage: string };
  };
  assert.equal(body.partialSuccess?.rejectedLogRecords, '2');
  assert.match(
    body.partialSuccess?.errorMessage ?? '',
    /logRecords\[1\]: time \S+ is older than the retention of 30 days.*logRecords\[2\]: time \S+ is more than 2 hours ahead/,
  );
  assert.equal(await countRows(db), rowsBefore + 2);
  const metrics = await (await fetch(`${running.baseUrl}/metrics`)).text();
  // JSON refused two old and one new above, and one old in the batch wholly outside
  assert.match(metrics, /log_events_rejected_total\{reason="too_old"\} 4/);
  assert.match(metrics, /log_events_rejected_total\{reason="too_new"\} 2/);
});
