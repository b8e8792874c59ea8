/**
 * The bad-input corpus (fixtures/service/bad-requests.json): malformed JSON, wrong types, SQL
 * and control characters in every field, invalid UTF-8, wrong content types, oversize bodies and
 * batches, deep nesting. Each request must get its 4xx status and error code, and nothing of
 * any of them may be stored. Then the cases the corpus cannot hold: timestamps and cursors
 * PostgreSQL would refuse or store wrongly, compressed bodies, wrong methods, requests Node's
 * HTTP parser refuses, and a property test over generated timestamps, ranges and cursors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Database } from '../service/db.ts';
import {
  countRows,
  type RunningApp,
  startTestService,
  type TestService,
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

let service: TestService;
let db: Database;
let running: RunningApp;

before(async () => {
  service = await startTestService('bad_requests');
  ({ db, running } = service);
});

after(async () => {
  await service?.close();
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

// Requests beyond the corpus: timestamps and cursors PostgreSQL would refuse or store wrongly,
// encodings, methods, and what Node's HTTP parser refuses before the app sees it.

async function jsonError(response: Response): Promise<{ code?: string; details?: unknown }> {
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await response.json()) as { error?: { code?: string; details?: unknown } };
  assert.equal(typeof body.error?.code, 'string');
  return body.error ?? {};
}

const stamped = (timestamp: string) =>
  JSON.stringify({ service: 'corpus', level: 'info', message: 'stamped', timestamp });
const forgedCursor = (timestamp: string, id: string) =>
  Buffer.from(JSON.stringify([timestamp, id])).toString('base64url');

for (const { reason, timestamp, problem } of [
  { reason: 'an offset beyond ±15:59', timestamp: '2026-06-01T00:00:00+23:59', problem: /15:59/ },
  { reason: 'year 10000 in UTC', timestamp: '9999-12-31T23:00:00-05:00', problem: /1 to 9999/ },
  { reason: '1 BC in UTC', timestamp: '0001-01-01T00:30:00+01:00', problem: /1 to 9999/ },
]) {
  test(`an event timestamp with ${reason}: 400 naming the field, nothing stored`, async () => {
    const before = await countRows(db);
    const response = await fetch(`${running.baseUrl}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `[${event(1)},${stamped(timestamp)}]`,
    });
    assert.equal(response.status, 400);
    const error = await jsonError(response);
    const [detail] = error.details as Array<{ index: number; field: string; reason: string }>;
    assert.deepStrictEqual(
      { index: detail?.index, field: detail?.field },
      { index: 1, field: 'timestamp' },
    );
    assert.match(detail?.reason ?? '', problem);
    assert.equal(await countRows(db), before);
  });
}

for (const { path, parameter } of [
  { path: '/v1/logs?since=2026-02-30T00:00:00Z', parameter: 'since' },
  { path: '/v1/logs?until=2026-02-30T00:00:00Z', parameter: 'until' },
  { path: '/v1/logs?since=2026-06-01T00:00:00%2B23:59', parameter: 'since' },
  { path: '/v1/logs/stats?since=2026-02-30T00:00:00Z', parameter: 'since' },
  { path: '/v1/logs/stats?until=9999-12-31T23:00:00-05:00', parameter: 'until' },
  {
    path: `/v1/logs?cursor=${forgedCursor('2026-01-01T00:00:00Z', '9223372036854775808')}`,
    parameter: 'cursor',
  },
  { path: `/v1/logs?cursor=${forgedCursor('2026-13-01T00:00:00Z', '1')}`, parameter: 'cursor' },
]) {
  test(`GET ${path.slice(0, 60)}: 400 naming ${parameter}`, async () => {
    const response = await fetch(`${running.baseUrl}${path}`);
    assert.equal(response.status, 400);
    const error = await jsonError(response);
    assert.deepStrictEqual(
      (error.details as Array<{ parameter: string }>).map((detail) => detail.parameter),
      [parameter],
    );
  });
}

test('the earliest until gives a stats range that starts at AD 1, not an error', async () => {
  const response = await fetch(`${running.baseUrl}/v1/logs/stats?until=0001-01-01T01:00:00Z`);
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { since: string }).since, '0001-01-01T00:00:00.000Z');
});

const bomb = (compress: (input: Buffer) => Buffer) =>
  compress(Buffer.from(`[${event(1)},${' '.repeat(64 * 1024 * 1024)}]`));

for (const { name, encoding, body, status, code } of [
  {
    name: 'a gzip bomb',
    encoding: 'gzip',
    body: bomb(gzipSync),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'a deflate bomb',
    encoding: 'deflate',
    body: bomb(deflateSync),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'bytes that are not gzip',
    encoding: 'gzip',
    body: Buffer.from(event(1)),
    status: 400,
    code: 'invalid_gzip',
  },
  {
    name: 'bytes that are not deflate',
    encoding: 'deflate',
    body: Buffer.from('not deflate'),
    status: 400,
    code: 'invalid_deflate',
  },
  {
    name: 'a brotli body',
    encoding: 'br',
    body: brotliCompressSync(Buffer.from(event(1))),
    status: 415,
    code: 'unsupported_encoding',
  },
]) {
  test(`${name}: ${status} ${code}, nothing stored`, async () => {
    const before = await countRows(db);
    const response = await fetch(`${running.baseUrl}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      body: new Uint8Array(body),
    });
    assert.equal(response.status, status);
    assert.equal((await jsonError(response)).code, code);
    assert.equal(await countRows(db), before);
  });
}

for (const { encoding, compress } of [
  { encoding: 'gzip', compress: gzipSync },
  { encoding: 'deflate', compress: deflateSync },
  { encoding: 'deflate', compress: deflateRawSync },
]) {
  test(`a ${encoding} body (${compress.name}) is decoded and stored`, async () => {
    const before = await countRows(db);
    const response = await fetch(`${running.baseUrl}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      body: new Uint8Array(compress(Buffer.from(`[${event(1)},${event(2)}]`))),
    });
    assert.equal(response.status, 202);
    assert.equal(await countRows(db), before + 2);
  });
}

for (const { method, path, allow } of [
  { method: 'PUT', path: '/v1/logs', allow: 'GET, HEAD, POST' },
  { method: 'DELETE', path: '/v1/logs/stats', allow: 'GET, HEAD' },
  { method: 'POST', path: '/healthz', allow: 'GET, HEAD' },
  { method: 'GET', path: '/v1/otlp/logs', allow: 'POST' },
]) {
  test(`${method} ${path}: 405 with Allow: ${allow}`, async () => {
    const response = await fetch(`${running.baseUrl}${path}`, { method });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), allow);
    assert.equal((await jsonError(response)).code, 'method_not_allowed');
  });
}

/** rawRequest sends bytes as they are and returns the whole answer (fetch would refuse them). */
async function rawRequest(
  bytes: string,
): Promise<{ status: number; contentType: string; body: string }> {
  const url = new URL(running.baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => {});
  socket.write(bytes);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return {
    status: Number(head.split(' ')[1]),
    contentType: /content-type: ([^\r]+)/i.exec(head)?.[1] ?? '',
    body,
  };
}

for (const { name, request, status, code } of [
  {
    name: 'a 100 KB query string',
    request: `GET /v1/logs?q=${'x'.repeat(100 * 1024)} HTTP/1.1\r\nHost: a\r\n\r\n`,
    status: 414,
    code: 'uri_too_long',
  },
  {
    name: 'headers of 100 KB',
    request: `GET /v1/logs HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(100 * 1024)}\r\n\r\n`,
    status: 431,
    code: 'headers_too_large',
  },
  {
    name: 'a request that is not HTTP',
    request: 'HELLO\r\n\r\n',
    status: 400,
    code: 'bad_request',
  },
]) {
  test(`${name}: a JSON ${status}`, async () => {
    const answer = await rawRequest(request);
    assert.equal(answer.status, status);
    assert.match(answer.contentType, /^application\/json/);
    assert.equal((JSON.parse(answer.body) as { error: { code: string } }).error.code, code);
  });
}

test('property: generated timestamps, ranges and cursors never get a 5xx; a refused batch stores nothing', async () => {
  const near = fc.stringMatching(
    /^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-6]\d:[0-6]\d(\.\d{1,7})?(Z|[+-][0-2]\d:[0-6]\d)$/,
  );
  const timestamp = fc.oneof(near, fc.string({ maxLength: 40 }));
  await fc.assert(
    fc.asyncProperty(
      fc.array(timestamp, { minLength: 1, maxLength: 3 }),
      timestamp,
      fc.tuple(
        timestamp,
        fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), fc.string()),
      ),
      async (timestamps, since, [cursorTime, cursorId]) => {
        const before = await countRows(db);
        const ingest = await fetch(`${running.baseUrl}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: `[${timestamps.map(stamped).join(',')}]`,
        });
        assert.ok(ingest.status === 202 || ingest.status === 400, `ingest ${ingest.status}`);
        await jsonOrAccepted(ingest);
        assert.equal(
          await countRows(db),
          ingest.status === 202 ? before + timestamps.length : before,
        );
        const query = new URLSearchParams({ since, cursor: forgedCursor(cursorTime, cursorId) });
        for (const path of ['/v1/logs', '/v1/logs/stats']) {
          const params = path === '/v1/logs' ? query : new URLSearchParams({ until: since });
          const response = await fetch(`${running.baseUrl}${path}?${params}`);
          assert.ok(response.status < 500, `${path}?${params}: ${response.status}`);
          await response.arrayBuffer();
        }
      },
    ),
    { numRuns: Number(process.env.SERVICE_FUZZ_RUNS ?? 150), seed: 14 },
  );
});

async function jsonOrAccepted(response: Response): Promise<void> {
  if (response.status === 400) await jsonError(response);
  else await response.arrayBuffer();
}
