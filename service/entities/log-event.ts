/**
 * The stored log event. The table itself is created by the migrations in ../migrations; this
 * definition is MikroORM's view of it (unit of work, metadata, schema diffing).
 */
import { defineEntity, p } from '@mikro-orm/core';

/** LogEventEntity maps table log_event; `id` is the server's key, `clientId` the client's. */
export const LogEventEntity = defineEntity({
  name: 'LogEvent',
  tableName: 'log_event',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    clientId: p.string().fieldName('client_id').length(128).nullable(),
    timestamp: p.datetime(6).fieldName('ts'),
    receivedAt: p.datetime(6).fieldName('received_at').defaultRaw('now()'),
    service: p.string().length(128),
    level: p.smallint(),
    message: p.text(),
    attributes: p.json<Record<string, unknown>>().nullable(),
    /** traceId and spanId are the ids' bytes (the API shows them as hex). */
    traceId: p.blob().fieldName('trace_id').nullable(),
    spanId: p.blob().fieldName('span_id').nullable(),
    /** sourceId names the OTLP resource and scope in log_source (null for native events). */
    sourceId: p.uuid().fieldName('source_id').nullable(),
  },
});

/** levels are the severities in increasing order; the stored level is the index. */
export const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** Level is one severity name. */
export type Level = (typeof levels)[number];

/** levelNumber maps a severity name to the number stored in log_event.level. */
export function levelNumber(level: Level): number {
  return levels.indexOf(level);
}
