/**
 * Newest-first pages of events with keyset pagination over (ts, id): each page continues
 * strictly below the last key of the previous one, so pages stay stable while new events
 * arrive and cost the same at any depth (no OFFSET).
 */
import type { Database } from '../db.ts';
import { levels } from '../entities/log-event.ts';
import { encodeCursor, type PagePosition } from './cursor.ts';

/** EventFilter is the parsed query of GET /v1/logs. */
export interface EventFilter {
  service?: string;
  minLevel?: number;
  since?: string;
  until?: string;
  q?: string;
  /** traceId is lowercase hex: the events of one trace. */
  traceId?: string;
  limit: number;
  after?: PagePosition;
}

/**
 * StoredEvent is one event as the API returns it (the elements of the page's `events`; the
 * page is written as JSON text directly, see listEventsJson).
 */
export interface StoredEvent {
  id: string;
  clientId: string | null;
  timestamp: string;
  service: string;
  level: string;
  message: string;
  attributes: Record<string, unknown> | null;
  traceId: string | null;
  spanId: string | null;
  resource: Record<string, unknown> | null;
  scope: Record<string, unknown> | null;
}

/**
 * EventRow is one selected row as an array in select order (no object per row); attributes is
 * the jsonb column as its JSON text, copied into the response as it is.
 */
type EventRow = [
  id: string,
  clientId: string | null,
  timestamp: string,
  service: string,
  level: number,
  message: string,
  attributes: string | null,
  traceId: string | null,
  spanId: string | null,
  sourceId: string | null,
];

/** SourceRow is one log_source row: id, and resource and scope as JSON text. */
type SourceRow = [id: string, resource: string | null, scope: string | null];

const sourcesSql =
  'select id::text, resource::text, scope::text from log_source where id = any($1::uuid[])';

/**
 * pageSources reads the sources the rows name, in one query (none for a page of native
 * events): a page names a few sources however many events it holds.
 */
async function pageSources(db: Database, rows: EventRow[], count: number) {
  const ids = new Set<string>();
  for (let index = 0; index < count; index++) {
    const sourceId = rows[index]![9];
    if (sourceId !== null) ids.add(sourceId);
  }
  const sources = new Map<string, SourceRow>();
  if (ids.size === 0) return sources;
  const found = await db.read<SourceRow>(sourcesSql, [[...ids]], {
    prepare: true,
    rowMode: 'array',
  });
  for (const source of found) sources.set(source[0], source);
  return sources;
}

/** utcText formats a timestamptz column as RFC 3339 UTC with microseconds. */
export const utcText = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * eventConditions are the where-conditions of a filter (everything but the page position),
 * shared by the page query and the counts so a chart counts what the list shows.
 */
export function eventConditions(
  filter: Omit<EventFilter, 'limit' | 'after'>,
  param: (value: unknown) => string,
): string[] {
  const conditions: string[] = [];
  if (filter.service !== undefined) conditions.push(`service = ${param(filter.service)}`);
  if (filter.minLevel !== undefined && filter.minLevel > 0) {
    // a literal (a checked integer 1-5), so the planner can match the partial error indexes
    conditions.push(`level >= ${Math.trunc(Math.min(5, filter.minLevel))}`);
  }
  if (filter.since !== undefined) conditions.push(`ts >= ${param(filter.since)}::timestamptz`);
  if (filter.until !== undefined) conditions.push(`ts < ${param(filter.until)}::timestamptz`);
  if (filter.traceId !== undefined) {
    conditions.push(`trace_id = decode(${param(filter.traceId)}, 'hex')`);
  }
  if (filter.q !== undefined) {
    conditions.push(
      `to_tsvector('simple', message) @@ websearch_to_tsquery('simple', ${param(filter.q)})`,
    );
  }
  return conditions;
}

/**
 * listEventsJson returns one page as the JSON text of `{ events: StoredEvent[], nextCursor }`
 * (nextCursor null on the last page). The text is built directly from the rows: the attributes
 * arrive as JSON text from PostgreSQL and are neither parsed nor serialized again, and only the
 * free-text fields go through JSON.stringify.
 */
export async function listEventsJson(db: Database, filter: EventFilter): Promise<string> {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = eventConditions(filter, param);
  if (filter.after) {
    conditions.push(
      `(ts, id) < (${param(filter.after.timestamp)}::timestamptz, ${param(filter.after.id)}::bigint)`,
    );
  }
  const where = conditions.length > 0 ? `where ${conditions.join(' and ')}` : '';
  const sql = `select id, client_id, ${utcText('ts')} as ts_text, service, level, message, attributes::text as attributes,
  encode(trace_id, 'hex'), encode(span_id, 'hex'), source_id::text
from log_event ${where}
order by ts desc, id desc
limit ${param(filter.limit + 1)}`;
  // prepared, except with full-text search: the best plan for q depends on how common its
  // words are (the GIN index for rare ones, the (ts, id) index for common ones), which a
  // cached generic plan cannot follow
  const rows = await db.read<EventRow>(sql, params, {
    prepare: filter.q === undefined,
    rowMode: 'array',
  });
  const count = Math.min(rows.length, filter.limit);
  const sources = await pageSources(db, rows, count);
  let json = '{"events":[';
  for (let index = 0; index < count; index++) {
    const [
      id,
      clientId,
      timestamp,
      service,
      level,
      message,
      attributes,
      traceId,
      spanId,
      sourceId,
    ] = rows[index]!;
    const source = sourceId === null ? undefined : sources.get(sourceId);
    // id is bigint digits, the timestamp to_char output and the trace and span ids hex digits
    // checked on the way in: none needs escaping
    json += `${index > 0 ? ',' : ''}{"id":"${id}","clientId":${clientId === null ? 'null' : JSON.stringify(clientId)},"timestamp":"${timestamp}","service":${JSON.stringify(service)},"level":"${levels[level] ?? level}","message":${JSON.stringify(message)},"attributes":${attributes ?? 'null'},"traceId":${traceId === null ? 'null' : `"${traceId}"`},"spanId":${spanId === null ? 'null' : `"${spanId}"`},"resource":${source?.[1] ?? 'null'},"scope":${source?.[2] ?? 'null'}}`;
  }
  const last = rows[count - 1];
  const nextCursor =
    rows.length > filter.limit && last
      ? JSON.stringify(encodeCursor({ timestamp: last[2], id: last[0] }))
      : 'null';
  return `${json}],"nextCursor":${nextCursor}}`;
}
