/**
 * Shared parts of the service benchmarks: a fresh benchmark database, child processes for the
 * service and the raw `pg` ceiling, the 100-event batch (as native JSON and as an OTLP protobuf
 * export), and CPU time read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from '../service/embedded-db.ts';
import { ExportLogsServiceRequest } from '../service/otlp/schema.ts';
import { freePort } from '../test/helpers/moto.ts';

/** root is the repository root. */
export const root = fileURLToPath(new URL('..', import.meta.url));

/** benchDatabase creates an empty log_bench database (embedded PostgreSQL without DATABASE_URL). */
export async function benchDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
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
  await admin.query('drop database if exists log_bench with (force)');
  await admin.query('create database log_bench');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/log_bench';
  return { url: url.toString(), stop: stopServer };
}

/** startProcess runs a TypeScript entry point and resolves with the port it reports. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  portOf: (line: Record<string, unknown>) => number | undefined,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const port = portOf(JSON.parse(line) as Record<string, unknown>);
          if (port) resolve(port);
        } catch {
          // not JSON
        }
        newline = buffered.indexOf('\n');
      }
      if (buffered.length > 1_000_000) buffered = '';
    });
    child.on('exit', (code) =>
      reject(new Error(`${args[0]} exited with ${code} before listening`)),
    );
  });
  return { child, port };
}

/** startService starts service/main.ts (or another copy of it) on the benchmark database. */
export function startService(
  databaseUrl: string,
  poolSize: string,
  entry = 'service/main.ts',
): Promise<{ child: ChildProcess; port: number }> {
  return startProcess(
    [entry],
    {
      DATABASE_URL: databaseUrl,
      PORT: '0',
      DB_POOL_SIZE: poolSize,
      LOG_LEVEL: 'info',
      QUEUE_LIMIT: '1000',
    },
    (line) => (line.msg === 'listening' ? Number(line.port) : undefined),
  );
}

/** startRawServer starts the ceiling (bench/service-raw-server.ts) on the same database. */
export function startRawServer(
  databaseUrl: string,
  poolSize: string,
): Promise<{ child: ChildProcess; port: number }> {
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', 'raw-ceiling');
  return startProcess(
    ['bench/service-raw-server.ts'],
    { DATABASE_URL: url.toString(), DB_POOL_SIZE: poolSize },
    (line) => (typeof line.port === 'number' ? line.port : undefined),
  );
}

/** peakRssMb is a process's peak resident set size. */
export function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** cpuMillis is the user + system CPU time a process has used so far (10 ms resolution). */
export function cpuMillis(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the parenthesised command name; utime and stime are fields 14 and 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** stopChild sends SIGTERM and waits for the exit. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** batch is the 100-event JSON array every ingest request sends. */
export const batch = JSON.stringify(
  Array.from({ length: 100 }, (_, n) => ({
    service: `bench-${n % 5}`,
    level: ['debug', 'info', 'info', 'warn', 'error'][n % 5],
    message: `GET /api/orders/${n} completed in ${n * 3} ms for user ${n * 7}`,
    attributes: { route: '/api/orders/:id', status: 200, durationMs: n * 3 },
  })),
);

/**
 * otlpExport is the same 100 events as an OTLP/HTTP protobuf export, shaped as an SDK sends
 * them: one ResourceLogs per service (service.name, version, host and SDK attributes), a named
 * scope, nanosecond timestamps, severity numbers, and trace and span ids from traceIds (four
 * consecutive records per trace, as a request logs a few lines).
 */
export function otlpExport(traceIds: Buffer[]): Buffer {
  return Buffer.from(
    ExportLogsServiceRequest.encode(
      ExportLogsServiceRequest.fromObject({
        resourceLogs: Array.from({ length: 5 }, (_, s) => ({
          resource: {
            attributes: Object.entries({
              'service.name': `bench-${s}`,
              'service.version': '1.4.2',
              'host.name': 'ip-10-0-1-23',
              'telemetry.sdk.language': 'nodejs',
              'telemetry.sdk.name': 'opentelemetry',
              'telemetry.sdk.version': '2.12.1',
            }).map(([key, value]) => ({ key, value: { stringValue: value } })),
          },
          scopeLogs: [
            {
              scope: { name: 'http-server', version: '1.0.0' },
              logRecords: Array.from({ length: 20 }, (_, r) => {
                const n = s * 20 + r;
                return {
                  timeUnixNano: String(BigInt(Date.now()) * 1_000_000n + BigInt(n)),
                  severityNumber: [5, 9, 9, 13, 17][n % 5],
                  severityText: ['DEBUG', 'INFO', 'INFO', 'WARN', 'ERROR'][n % 5],
                  body: {
                    stringValue: `GET /api/orders/${n} completed in ${n * 3} ms for user ${n * 7}`,
                  },
                  attributes: [
                    { key: 'route', value: { stringValue: '/api/orders/:id' } },
                    { key: 'status', value: { intValue: 200 } },
                    { key: 'durationMs', value: { intValue: n * 3 } },
                  ],
                  traceId: traceIds[Math.floor(n / 4) % traceIds.length],
                  spanId: traceIds[Math.floor(n / 4) % traceIds.length]!.subarray(0, 8),
                };
              }),
            },
          ],
        })),
      }),
    ).finish(),
  );
}

/**
 * otlpBatches are distinct exports, each with its own 25 random trace ids: cycled through by
 * the benchmark so the trace index grows as with real traffic instead of taking the same 25
 * keys again on every request.
 */
export const otlpBatches = Array.from({ length: 400 }, () =>
  otlpExport(Array.from({ length: 25 }, () => randomBytes(16))),
);

/** otlpBatch is one of otlpBatches (its size is reported beside the JSON batch's). */
export const otlpBatch = otlpBatches[0]!;
