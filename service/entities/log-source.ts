/**
 * Where OTLP events came from: the resource attributes and instrumentation scope of an export,
 * stored once and shared by every event that names the same pair. The id is derived from the
 * content (service/otlp/to-events.ts), so a source is written with INSERT ... ON CONFLICT DO
 * NOTHING and needs no lookup.
 */
import { defineEntity, p } from '@mikro-orm/core';

/** LogSourceEntity maps table log_source. */
export const LogSourceEntity = defineEntity({
  name: 'LogSource',
  tableName: 'log_source',
  properties: {
    id: p.uuid().primary(),
    resource: p.json<Record<string, unknown>>().nullable(),
    scope: p.json<Record<string, unknown>>().nullable(),
  },
});
