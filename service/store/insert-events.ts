/**
 * Bulk insert of validated events in one statement: the batch travels as one JSON array
 * parameter that json_to_recordset() turns back into rows, so a batch of 1000 is one round trip
 * and one implicit transaction (all or nothing). ON CONFLICT on the client id makes retries
 * idempotent. The JSON text is built directly: the attributes are already JSON text from
 * validation and are copied in as they are, which costs far less than the driver's escaping of
 * six array parameters element by element. OTLP events also name their source (resource and
 * scope): the sources go in the same statement, as a second parameter, written only when their
 * content-derived id is new.
 */
import type { Database } from '../db.ts';
import type { EventSource, NewEvent } from '../validate-events.ts';

const eventColumns = `insert into log_event (client_id, ts, service, level, message, attributes, trace_id, span_id, source_id)
select * from json_to_recordset($1::json)
  as batch(c varchar, t timestamptz, s varchar, l smallint, m text, a jsonb, tr bytea, sp bytea, so uuid)
on conflict (client_id) where client_id is not null do nothing
returning 1`;

const insertSql = eventColumns;

// a data-modifying WITH runs whether or not the main statement reads it
const insertWithSourcesSql = `with sources as (
  insert into log_source (id, resource, scope)
  select * from json_to_recordset($2::json) as source(i uuid, r jsonb, o jsonb)
  on conflict (id) do nothing
)
${eventColumns}`;

/**
 * batchJson is the JSON array of the events in the shape insertSql reads. The trace and source
 * fields are written only when present (json_to_recordset reads a missing key as null), so a
 * plain event costs no more than before they existed.
 */
export function batchJson(events: NewEvent[]): string {
  let json = '[';
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    json += `${index > 0 ? ',' : ''}{"c":${event.clientId === null ? 'null' : JSON.stringify(event.clientId)},"t":${JSON.stringify(event.timestamp)},"s":${JSON.stringify(event.service)},"l":${event.level},"m":${JSON.stringify(event.message)},"a":${event.attributes ?? 'null'}`;
    // ids are validated hex digits and UUIDs: none needs escaping; the ids travel in bytea's
    // hex input form, \x and the digits
    if (event.traceId !== null) json += `,"tr":"\\\\x${event.traceId}"`;
    if (event.spanId !== null) json += `,"sp":"\\\\x${event.spanId}"`;
    if (event.sourceId !== null) json += `,"so":"${event.sourceId}"`;
    json += '}';
  }
  return `${json}]`;
}

/** sourcesJson is the JSON array of the sources in the shape insertWithSourcesSql reads. */
export function sourcesJson(sources: EventSource[]): string {
  let json = '[';
  for (let index = 0; index < sources.length; index++) {
    const source = sources[index]!;
    json += `${index > 0 ? ',' : ''}{"i":"${source.id}","r":${source.resource ?? 'null'},"o":${source.scope ?? 'null'}}`;
  }
  return `${json}]`;
}

/**
 * insertEvents stores events (and the sources they name) and returns how many events were new
 * (duplicates by id are skipped).
 */
export async function insertEvents(
  db: Database,
  events: NewEvent[],
  sources: EventSource[] = [],
): Promise<number> {
  const rows =
    sources.length === 0
      ? await db.query(insertSql, [batchJson(events)], { prepare: true })
      : await db.query(insertWithSourcesSql, [batchJson(events), sourcesJson(sources)], {
          prepare: true,
        });
  return rows.length;
}
