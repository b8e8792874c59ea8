/**
 * Bulk insert of validated events in one statement: every column travels as one array
 * parameter and unnest() turns them back into rows, so a batch of 1000 is one round trip and one
 * implicit transaction (all or nothing). ON CONFLICT on the client id makes retries idempotent.
 */
import type { Database } from '../db.ts';
import type { NewEvent } from '../validate-events.ts';

const insertSql = `insert into log_event (client_id, ts, service, level, message, attributes)
select * from unnest($1::varchar[], $2::timestamptz[], $3::varchar[], $4::smallint[], $5::text[], $6::jsonb[])
on conflict (client_id) where client_id is not null do nothing
returning 1`;

/** insertEvents stores events and returns how many were new (duplicates by id are skipped). */
export async function insertEvents(db: Database, events: NewEvent[]): Promise<number> {
  const columns = {
    clientIds: new Array<string | null>(events.length),
    timestamps: new Array<string>(events.length),
    services: new Array<string>(events.length),
    levels: new Array<number>(events.length),
    messages: new Array<string>(events.length),
    attributes: new Array<string | null>(events.length),
  };
  events.forEach((event, index) => {
    columns.clientIds[index] = event.clientId;
    columns.timestamps[index] = event.timestamp;
    columns.services[index] = event.service;
    columns.levels[index] = event.level;
    columns.messages[index] = event.message;
    columns.attributes[index] = event.attributes;
  });
  const rows = await db.query(
    insertSql,
    [
      columns.clientIds,
      columns.timestamps,
      columns.services,
      columns.levels,
      columns.messages,
      columns.attributes,
    ],
    { prepare: true },
  );
  return rows.length;
}
