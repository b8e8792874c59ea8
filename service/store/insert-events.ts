/**
 * Bulk insert of validated events in one statement: the batch travels as one JSON array
 * parameter that json_to_recordset() turns back into rows, so a batch of 1000 is one round trip
 * and one implicit transaction (all or nothing). A claim of the client id in log_client_id
 * (ON CONFLICT DO NOTHING) makes retries idempotent. The JSON text is built directly: the attributes are already JSON text from
 * validation and are copied in as they are, which costs far less than the driver's escaping of
 * six array parameters element by element. OTLP events also name their source (resource and
 * scope): the sources go in the same statement, as a second parameter, written only when their
 * content-derived id is new.
 */
import type { Database } from '../db.ts';
import { checkTimestamp } from '../timestamp.ts';
import type { EventSource, NewEvent } from '../validate-events.ts';
import { ensurePartitions } from './partitions.ts';

// The batch is read once; each client id is claimed in the log_client_id ledger by the first
// event carrying it, and only events with no client id or a claim just made are inserted
// (a unique index on log_event could not hold the client id alone: it must contain ts).
const batchAndClaims = `batch as (
  select * from rows from (json_to_recordset($1::json)
    as (c varchar, t timestamptz, s varchar, l smallint, m text, a jsonb, tr bytea, sp bytea, so uuid))
    with ordinality as b(c, t, s, l, m, a, tr, sp, so, n)
), firsts as (
  select distinct on (c) c, t, n from batch where c is not null order by c, n
), claimed as (
  insert into log_client_id (client_id, ts) select c, t from firsts
  on conflict (client_id) do nothing
  returning client_id
)`;

const insertEventsSql = `insert into log_event (client_id, ts, service, level, message, attributes, trace_id, span_id, source_id)
select c, t, s, l, m, a, tr, sp, so from batch
where c is null or n in (select n from firsts join claimed on claimed.client_id = firsts.c)
returning 1`;

const insertSql = `with ${batchAndClaims}
${insertEventsSql}`;

// a data-modifying WITH runs whether or not the main statement reads it
const insertWithSourcesSql = `with sources as (
  insert into log_source (id, resource, scope)
  select * from json_to_recordset($2::json) as source(i uuid, r jsonb, o jsonb)
  on conflict (id) do nothing
), ${batchAndClaims}
${insertEventsSql}`;

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
  const run = () =>
    sources.length === 0
      ? db.query(insertSql, [batchJson(events)], { prepare: true })
      : db.query(insertWithSourcesSql, [batchJson(events), sourcesJson(sources)], {
          prepare: true,
        });
  try {
    return (await run()).length;
  } catch (err) {
    if (!isNoPartition(err)) throw err;
    // the statement changed nothing: make the missing partitions and run it once more
    await ensurePartitions(db, instantsOf(events), db.partitionInterval);
    return (await run()).length;
  }
}

/** isNoPartition is PostgreSQL's refusal of a row no partition of log_event holds. */
function isNoPartition(err: unknown): boolean {
  const { code, message } = err as { code?: string; message?: string };
  return code === '23514' && /no partition of relation/.test(message ?? '');
}

/** instantsOf is each event's instant in milliseconds (timestamps are validated already). */
function instantsOf(events: NewEvent[]): number[] {
  return events.map((event) => {
    const checked = checkTimestamp(event.timestamp);
    return 'millis' in checked ? checked.millis : Date.now();
  });
}
