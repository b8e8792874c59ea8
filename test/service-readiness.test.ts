/**
 * Readiness and database outages against a real PostgreSQL behind a TCP proxy: when the
 * database goes away /readyz turns 503 and API calls answer 503 (never 400 or 500), and when it
 * comes back everything recovers without a restart.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../service/db.ts';
import {
  createTestDatabase,
  openTestDatabase,
  postLogs,
  type RunningApp,
  serveApp,
  type TestDatabase,
} from './fixtures/service/harness.ts';
import { startTcpProxy, type TcpProxy } from './fixtures/service/tcp-proxy.ts';

let database: TestDatabase;
let proxy: TcpProxy;
let db: Database;
let running: RunningApp;

before(async () => {
  database = await createTestDatabase('readiness');
  const target = new URL(database.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(database.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  db = await openTestDatabase(viaProxy.toString(), 2);
  running = await serveApp({ db });
});

after(async () => {
  await running?.close();
  await db?.close();
  await proxy?.close();
  await database?.drop();
});

async function status(path: string): Promise<number> {
  const response = await fetch(`${running.baseUrl}${path}`);
  await response.arrayBuffer();
  return response.status;
}

async function waitForStatus(path: string, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    last = await status(path);
    if (last === expected) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return last;
}

const event = { service: 'outage', level: 'error', message: 'database gone' };

test('readiness follows the database down and back up; requests answer 503 meanwhile', async () => {
  assert.equal(await status('/readyz'), 200);
  assert.equal((await postLogs(running.baseUrl, event)).status, 202);

  await proxy.cut();
  assert.equal(await waitForStatus('/readyz', 503, 15_000), 503);
  const ingest = await postLogs(running.baseUrl, event);
  assert.deepStrictEqual(
    [ingest.status, (ingest.body.error as { code: string }).code],
    [503, 'database_unavailable'],
  );
  const query = await fetch(`${running.baseUrl}/v1/logs?service=outage`);
  const queryBody = (await query.json()) as { error: { code: string } };
  assert.deepStrictEqual([query.status, queryBody.error.code], [503, 'database_unavailable']);
  assert.equal(await status('/healthz'), 200, 'the process stays alive');

  await proxy.restore();
  assert.equal(await waitForStatus('/readyz', 200, 20_000), 200);
  assert.equal((await postLogs(running.baseUrl, event)).status, 202);
  const rows = await db.query<{ count: number }>(
    "select count(*)::int as count from log_event where service = 'outage'",
  );
  assert.deepStrictEqual(rows, [{ count: 2 }]);
});
