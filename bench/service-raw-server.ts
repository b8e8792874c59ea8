/**
 * The ceiling for the service benchmark: the same two operations (100-event batch insert and a
 * newest-first time-range page) on a bare node:http server with a plain `pg` pool of the same
 * size and the same SQL, without Express, validation, logging, metrics or the ORM.
 * Started by bench/service.bench.ts as a child process; prints {"port":N} when listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? 10),
});

const insertSql = `insert into log_event (client_id, ts, service, level, message, attributes)
select * from unnest($1::varchar[], $2::timestamptz[], $3::varchar[], $4::smallint[], $5::text[], $6::jsonb[])
on conflict (client_id) where client_id is not null do nothing
returning 1`;

const listSql = `select id, client_id, to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ts_text,
  service, level, message, attributes, encode(trace_id, 'hex') as trace_id, encode(span_id, 'hex') as span_id, source_id
from log_event where ts >= $1::timestamptz and ts < $2::timestamptz
order by ts desc, id desc limit $3`;

interface RawEvent {
  id?: string;
  timestamp?: string;
  service: string;
  level: string;
  message: string;
  attributes?: unknown;
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/v1/logs') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const events = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RawEvent[];
      const now = new Date().toISOString();
      const result = await pool.query(insertSql, [
        events.map((e) => e.id ?? null),
        events.map((e) => e.timestamp ?? now),
        events.map((e) => e.service),
        events.map((e) => levels.indexOf(e.level)),
        events.map((e) => e.message),
        events.map((e) => (e.attributes === undefined ? null : JSON.stringify(e.attributes))),
      ]);
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ received: events.length, stored: result.rowCount }));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/logs') {
      const result = await pool.query(listSql, [
        url.searchParams.get('since'),
        url.searchParams.get('until'),
        Number(url.searchParams.get('limit') ?? 100) + 1,
      ]);
      const events = result.rows.slice(0, 100).map((row) => ({
        id: row.id,
        clientId: row.client_id,
        timestamp: row.ts_text,
        service: row.service,
        level: levels[row.level],
        message: row.message,
        attributes: row.attributes,
        traceId: row.trace_id,
        spanId: row.span_id,
        resource: null,
        scope: null,
      }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ events, nextCursor: null }));
      return;
    }
    res.writeHead(404).end();
  } catch (err) {
    res.writeHead(500).end(String(err));
  }
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
