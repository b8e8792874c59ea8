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
    traceId: p.string().fieldName('trace_id').length(32).nullable(),
    spanId: p.string().fieldName('span_id').length(16).nullable(),
    resource: p.json<Record<string, unknown>>().nullable(),
    scope: p.json<Record<string, unknown>>().nullable(),
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
