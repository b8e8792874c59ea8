/**
 * The bad-input corpus (fixtures/service/bad-requests.json): malformed JSON, wrong types, SQL
 * and control characters in every field, invalid UTF-8, wrong content types, oversize bodies and
 * batches, deep nesting. Each request must get its 4xx status and error code, and nothing of
 * any of them may be stored.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Database } from '../service/db.ts';
import {
  countRows,
  createTestDatabase,
  openTestDatabase,
  type RunningApp,
  serveApp,
  type TestDatabase,
} from './fixtures/service/harness.ts';

interface BadRequest {
  name: string;
  contentType: string | null;
  body?: string;
  bodyBase64?: string;
  generate?: 'oversize-body' | 'batch-10k' | 'ndjson-10k' | 'deep-nesting';
  status: number;
  code: string;
}

const corpus = JSON.parse(
  readFileSync(new URL('./fixtures/service/bad-requests.json', import.meta.url), 'utf8'),
) as BadRequest[];

const event = (n: number) =>
  JSON.stringify({ service: 'corpus', level: 'info', message: `event ${n}` });

function generated(kind: NonNullable<BadRequest['generate']>): Buffer {
  switch (kind) {
    case 'oversize-body':
      return Buffer.from(
        JSON.stringify({ service: 'corpus', level: 'info', message: 'x'.repeat(6 * 1024 * 1024) }),
      );
    case 'batch-10k':
      return Buffer.from(`[${Array.from({ length: 10_000 }, (_, n) => event(n)).join(',')}]`);
    case 'ndjson-10k':
      return Buffer.from(Array.from({ length: 10_000 }, (_, n) => event(n)).join('\n'));
    case 'deep-nesting':
      return Buffer.from(
        `{"service":"corpus","level":"info","message":"x","attributes":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`,
      );
  }
}

function bodyOf(request: BadRequest): Buffer {
  if (request.generate) return generated(request.generate);
  if (request.bodyBase64 !== undefined) return Buffer.from(request.bodyBase64, 'base64');
  return Buffer.from(request.body ?? '', 'utf8');
}

let database: TestDatabase;
let db: Database;
let running: RunningApp;

before(async () => {
  database = await createTestDatabase('bad_requests');
  db = await openTestDatabase(database.url);
  running = await serveApp({ db });
});

after(async () => {
  await running?.close();
  await db?.close();
  await database?.drop();
});

test('the corpus holds at least 25 requests', () => {
  assert.ok(corpus.length >= 25, `${corpus.length} requests`);
});

for (const request of corpus) {
  test(`${request.name}: ${request.status} ${request.code}, nothing stored`, async () => {
    const headers: Record<string, string> = {};
    if (request.contentType !== null) headers['content-type'] = request.contentType;
    const response = await fetch(`${running.baseUrl}/v1/logs`, {
      method: 'POST',
      headers,
      body: new Uint8Array(bodyOf(request)),
    });
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    assert.deepStrictEqual(
      { status: response.status, code: body.error?.code },
      { status: request.status, code: request.code },
    );
    assert.equal(typeof body.error?.message, 'string');
    assert.equal(await countRows(db), 0);
  });
}

test('after the whole corpus the service still stores a valid event', async () => {
  const response = await fetch(`${running.baseUrl}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: event(1),
  });
  assert.equal(response.status, 202);
  assert.equal(await countRows(db), 1);
});
