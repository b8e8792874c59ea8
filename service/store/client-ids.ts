/**
 * The client id ledger (log_client_id) keeps one narrow row per client id taken, so a resent
 * event is recognised in any partition. Its rows expire with their events' partitions; they are
 * removed in short batches, each an index range on ts, the only row deletes retention makes.
 */
import type { Database } from '../db.ts';

/** pruneClientIds forgets the client ids of events older than cutoff; returns how many. */
export async function pruneClientIds(
  db: Database,
  cutoff: Date,
  options: { batchSize?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 5000;
  let pruned = 0;
  while (!options.signal?.aborted) {
    const [row] = await db.query<{ deleted: number }>(
      `with expired as (
         select client_id from log_client_id where ts < $1::timestamptz order by ts limit $2
       ), removed as (
         delete from log_client_id where client_id in (select client_id from expired) returning 1
       )
       select count(*)::int as deleted from removed`,
      [cutoff.toISOString(), batchSize],
    );
    pruned += row?.deleted ?? 0;
    if ((row?.deleted ?? 0) < batchSize) break;
  }
  return pruned;
}
