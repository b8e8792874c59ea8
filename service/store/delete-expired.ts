/**
 * Retention by batched deletes: each batch removes at most batchSize of the oldest expired
 * rows in its own short statement, so row locks are held for milliseconds and ingestion and
 * queries continue between batches. Autovacuum reclaims the space.
 */
import type { Database } from '../db.ts';

/** DeleteResult reports one retention run. */
export interface DeleteResult {
  deleted: number;
  batches: number;
  /** longestBatchMs is the longest single statement, i.e. the longest any row lock was held. */
  longestBatchMs: number;
}

/** deleteExpired removes events older than cutoff, batchSize rows per statement. */
export async function deleteExpired(
  db: Database,
  cutoff: Date,
  options: { batchSize?: number; pauseMs?: number; signal?: AbortSignal } = {},
): Promise<DeleteResult> {
  const batchSize = options.batchSize ?? 5000;
  const result: DeleteResult = { deleted: 0, batches: 0, longestBatchMs: 0 };
  while (!options.signal?.aborted) {
    const started = performance.now();
    const [row] = await db.query<{ deleted: number }>(
      `with expired as (
         select id from log_event where ts < $1::timestamptz order by ts limit $2
       ), removed as (
         delete from log_event where id in (select id from expired) returning 1
       )
       select count(*)::int as deleted from removed`,
      [cutoff.toISOString(), batchSize],
    );
    const deleted = row?.deleted ?? 0;
    result.longestBatchMs = Math.max(result.longestBatchMs, performance.now() - started);
    result.batches++;
    result.deleted += deleted;
    if (deleted < batchSize) break;
    if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  return result;
}
