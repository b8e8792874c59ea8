/**
 * The distinct service names, read as a loose index scan: each step jumps to the next name in
 * the (service, ts, id) index, so the cost grows with the number of services, not of events.
 */
import type { Database } from '../db.ts';

/** maxServices bounds the answer. */
export const maxServices = 1000;

const servicesSql = `with recursive names(service) as (
  (select service from log_event order by service limit 1)
  union all
  select (select service from log_event where service > names.service order by service limit 1)
  from names where names.service is not null
)
select service from names where service is not null limit ${maxServices}`;

/** listServices returns the service names in order. */
export async function listServices(db: Database): Promise<string[]> {
  const rows = await db.read<[string]>(servicesSql, [], { prepare: true, rowMode: 'array' });
  return rows.map((row) => row[0]);
}
