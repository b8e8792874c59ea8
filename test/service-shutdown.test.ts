/**
 * SIGTERM under load: service/main.ts runs as a child process, several clients post batches
 * with unique ids, the process gets SIGTERM mid-load. Every event acknowledged with 202 must be
 * in PostgreSQL afterwards, the process must exit 0, and its last log line says it stopped.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './fixtures/service/harness.ts';

let database: TestDatabase;

before(async () => {
  database = await createTestDatabase('shutdown');
});

after(async () => {
  await database?.drop();
});

const root = fileURLToPath(new URL('..', import.meta.url));

test('SIGTERM under load loses no acknowledged event', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'service/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      PORT: '0',
      LOG_LEVEL: 'info',
      DB_POOL_SIZE: '4',
      SHUTDOWN_TIMEOUT_MS: '15000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        const parsed = JSON.parse(line) as { msg?: string; port?: number };
        if (parsed.msg === 'listening' && parsed.port) resolve(parsed.port);
        newline = buffered.indexOf('\n');
      }
    });
    void exited.then((code) =>
      reject(new Error(`service exited with ${code} before listening: ${stderr}`)),
    );
  });
  const baseUrl = `http://127.0.0.1:${port}`;

  let acknowledged = 0;
  let requestsAcknowledged = 0;
  let otherStatuses = 0;
  let stopped = false;
  const worker = async (workerId: number) => {
    for (let batch = 0; !stopped; batch++) {
      const events = Array.from({ length: 20 }, (_, n) => ({
        id: `w${workerId}-b${batch}-e${n}`,
        service: 'shutdown',
        level: 'info',
        message: `worker ${workerId} batch ${batch} event ${n}`,
      }));
      try {
        const response = await fetch(`${baseUrl}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(events),
        });
        const body = (await response.json()) as { stored?: number };
        if (response.status === 202) {
          acknowledged += body.stored ?? 0;
          requestsAcknowledged++;
        } else {
          otherStatuses++;
        }
      } catch {
        // refused or reset once the listener is closed: not acknowledged
        if (child.exitCode !== null) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const workers = Array.from({ length: 8 }, (_, id) => worker(id));
  const loadDeadline = Date.now() + 30_000;
  while (requestsAcknowledged < 100 && child.exitCode === null && Date.now() < loadDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(child.exitCode, null, `the service died under load: ${stderr}`);
  const signalled = Date.now();
  child.kill('SIGTERM');
  const code = await exited;
  console.log(
    `acknowledged ${acknowledged} events; exit ${Date.now() - signalled} ms after SIGTERM`,
  );
  stopped = true;
  await Promise.all(workers);

  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const result = await client.query<{ count: number }>(
    "select count(*)::int as count from log_event where service = 'shutdown'",
  );
  await client.end();
  assert.equal(code, 0, stderr);
  assert.ok(acknowledged >= 2000, `${acknowledged} events acknowledged`);
  assert.equal(result.rows[0]?.count, acknowledged);
  assert.equal(otherStatuses, 0, 'no request failed with an error status');
  const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
  assert.ok(messages.includes('shutting down'), 'the shutdown was logged');
  assert.equal(messages.at(-1), 'stopped');
});
