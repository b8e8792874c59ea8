/**
 * Sustained ingestion against a real PostgreSQL (`npm run test:stress`): many concurrent clients,
 * retries of batches already stored, and a small admission queue so that some requests are shed
 * with 429 and sent again. Every acknowledged event is stored exactly once, and a keyset walk
 * over everything returns each event once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../service/db.ts';
import {
  countRows,
  createTestDatabase,
  openTestDatabase,
  postLogs,
  type RunningApp,
  serveApp,
  type TestDatabase,
} from './fixtures/service/harness.ts';

const CLIENTS = 40;
const BATCHES_PER_CLIENT = 40;
const EVENTS_PER_BATCH = 100;
const MAX_ATTEMPTS = 50;

let database: TestDatabase;
let db: Database;
let running: RunningApp;

before(async () => {
  database = await createTestDatabase('stress');
  db = await openTestDatabase(database.url, 8);
  running = await serveApp({ db, queueLimit: 8 });
});

after(async () => {
  await running?.close();
  await db?.close();
  await database?.drop();
});

function batch(client: number, index: number) {
  return Array.from({ length: EVENTS_PER_BATCH }, (_, n) => ({
    id: `c${client}-b${index}-e${n}`,
    service: `stress-${client % 4}`,
    level: n % 10 === 0 ? 'error' : 'info',
    message: `client ${client} batch ${index} event ${n}`,
    attributes: { client, index, n },
  }));
}

/** send posts until the service accepts the batch; 429 (shed) and 503 are retried. */
async function send(
  events: unknown[],
): Promise<{ stored: number; duplicates: number; shed: number }> {
  let shed = 0;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const response = await postLogs(running.baseUrl, events);
    if (response.status === 202) {
      return {
        stored: Number(response.body.stored),
        duplicates: Number(response.body.duplicates),
        shed,
      };
    }
    assert.ok([429, 503].includes(response.status), `unexpected status ${response.status}`);
    shed += 1;
    await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
  }
  throw new Error(`batch not accepted after ${MAX_ATTEMPTS} attempts`);
}

test('concurrent clients with retries and load shedding store every event exactly once', {
  timeout: 300_000,
}, async (t) => {
  let stored = 0;
  let duplicates = 0;
  let shed = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let index = 0; index < BATCHES_PER_CLIENT; index++) {
        const events = batch(client, index);
        const first = await send(events);
        stored += first.stored;
        duplicates += first.duplicates;
        shed += first.shed;
        // every tenth batch is resent, as a client that lost the answer would
        if (index % 10 === 0) {
          const again = await send(events);
          stored += again.stored;
          duplicates += again.duplicates;
          shed += again.shed;
        }
      }
    }),
  );
  const total = CLIENTS * BATCHES_PER_CLIENT * EVENTS_PER_BATCH;
  const resent = CLIENTS * Math.ceil(BATCHES_PER_CLIENT / 10) * EVENTS_PER_BATCH;
  assert.equal(stored, total, 'each event stored once');
  assert.equal(duplicates, resent, 'each resent event reported as a duplicate');
  assert.equal(await countRows(db), total);
  const [distinct] = await db.query<{ count: number }>(
    'select count(distinct client_id)::int as count from log_event',
  );
  assert.equal(distinct?.count, total);
  t.diagnostic(`${shed} requests were shed with 429/503 and sent again`);
});

test('a keyset walk over one service returns every event once', { timeout: 300_000 }, async () => {
  const seen = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query = new URLSearchParams({ service: 'stress-1', limit: '1000' });
    if (cursor) query.set('cursor', cursor);
    const response = await fetch(`${running.baseUrl}/v1/logs?${query}`);
    assert.equal(response.status, 200);
    const page = (await response.json()) as {
      events: Array<{ id: string }>;
      nextCursor: string | null;
    };
    for (const event of page.events) {
      assert.ok(!seen.has(event.id), `event ${event.id} returned twice`);
      seen.add(event.id);
    }
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 1000);
  const expected = (CLIENTS / 4) * BATCHES_PER_CLIENT * EVENTS_PER_BATCH;
  assert.equal(seen.size, expected);
});
