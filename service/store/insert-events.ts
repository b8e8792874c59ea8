/**
 * Bulk insert of validated events in one statement: the batch travels as one JSON array
 * parameter that json_to_recordset() turns back into rows, so a batch of 1000 is one round trip
 * and one implicit transaction (all or nothing). ON CONFLICT on the client id makes retries
 * idempotent. The JSON text is built directly: the attributes are already JSON text from
 * validation and are copied in as they are, which costs far less than the driver's escaping of
 * six array parameters element by element.
 */
import type { Database } from '../db.ts';
import type { NewEvent } from '../validate-events.ts';

const insertSql = `insert into log_event (client_id, ts, service, level, message, attributes, trace_id, span_id, resource, scope)
select * from json_to_recordset($1::json)
  as batch(c varchar, t timestamptz, s varchar, l smallint, m text, a jsonb, tr varchar, sp varchar, r jsonb, o jsonb)
on conflict (client_id) where client_id is not null do nothing
returning 1`;

/**
 * batchJson is the JSON array of the events in the shape insertSql reads. The trace and OTLP
 * fields are written only when present (json_to_recordset reads a missing key as null), so a
 * plain event costs no more than before they existed.
 */
export function batchJson(events: NewEvent[]): string {
  let json = '[';
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    json += `${index > 0 ? ',' : ''}{"c":${event.clientId === null ? 'null' : JSON.stringify(event.clientId)},"t":${JSON.stringify(event.timestamp)},"s":${JSON.stringify(event.service)},"l":${event.level},"m":${JSON.stringify(event.message)},"a":${event.attributes ?? 'null'}`;
    // ids are validated hex digits and resource and scope JSON text: none needs escaping
    if (event.traceId !== null) json += `,"tr":"${event.traceId}"`;
    if (event.spanId !== null) json += `,"sp":"${event.spanId}"`;
    if (event.resource !== null) json += `,"r":${event.resource}`;
    if (event.scope !== null) json += `,"o":${event.scope}`;
    json += '}';
  }
  return `${json}]`;
}

/** insertEvents stores events and returns how many were new (duplicates by id are skipped). */
export async function insertEvents(db: Database, events: NewEvent[]): Promise<number> {
  const rows = await db.query(insertSql, [batchJson(events)], { prepare: true });
  return rows.length;
}
