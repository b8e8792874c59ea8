/**
 * log_event is range-partitioned on ts, one partition per day (or hour). A partition is made
 * as a plain table and then attached, which locks the parent only in SHARE UPDATE EXCLUSIVE
 * mode (CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE and queue every query behind
 * it). There is no default partition: DETACH ... CONCURRENTLY refuses to run beside one, and
 * rows parked there would block creating their day's partition later. An event whose day has
 * no partition yet makes one on demand (insert-events.ts). Each partition is recorded in
 * log_partition, written in the same transaction as its DDL.
 */
import type { Database } from '../db.ts';
import { LogPartitionEntity } from '../entities/log-partition.ts';
import {
  intervalMillis,
  type PartitionInterval,
  partitionDdl,
  partitionName,
  type Range,
  rangeFor,
} from './partition-ranges.ts';

/** partitionsLock serialises partition DDL between requests and service instances. */
const partitionsLock = "hashtext('log-service:partitions')";

/**
 * ensurePartitions makes the partitions missing for the given instants and returns the names
 * made. Callers pass the instants of a batch whose insert found no partition, or the periods
 * to create ahead; both go through the same transaction under one advisory lock, so two
 * requests needing the same day make it once.
 */
export async function ensurePartitions(
  db: Database,
  instants: Iterable<number>,
  interval: PartitionInterval,
): Promise<string[]> {
  const wanted = [...new Set(instants)].sort((a, b) => a - b);
  if (wanted.length === 0) return [];
  return db.orm.em.fork().transactional(async (em) => {
    await em.execute(`select pg_advisory_xact_lock(${partitionsLock})`);
    const existing: Range[] = (await em.find(LogPartitionEntity, {})).map((row) => ({
      start: row.rangeStart.getTime(),
      end: row.rangeEnd.getTime(),
    }));
    const made: string[] = [];
    for (const millis of wanted) {
      const range = rangeFor(millis, interval, existing);
      if (!range) continue;
      for (const sql of partitionDdl(range)) await em.execute(sql);
      em.create(LogPartitionEntity, {
        name: partitionName(range),
        rangeStart: new Date(range.start),
        rangeEnd: new Date(range.end),
      });
      existing.push(range);
      made.push(partitionName(range));
    }
    return made;
  });
}

/** ensureAhead makes the partitions from now's period through `ahead` periods later. */
export function ensureAhead(
  db: Database,
  now: number,
  interval: PartitionInterval,
  ahead: number,
): Promise<string[]> {
  const width = intervalMillis[interval];
  const instants = Array.from({ length: ahead + 1 }, (_, n) => now + n * width);
  return ensurePartitions(db, instants, interval);
}

/** DropResult reports one retention pass over the partitions. */
export interface DropResult {
  dropped: string[];
  /** longestDropMs is the longest detach and drop of one partition. */
  longestDropMs: number;
}

/**
 * dropExpired removes every partition that ends at or before cutoff: a detach that waits for
 * the queries using it instead of locking them out (CONCURRENTLY, which cannot run inside a
 * transaction), then a drop of the detached table. No row is deleted, so nothing is left for
 * vacuum. A pass interrupted between the steps is finished by the next one: the detach is
 * completed (FINALIZE) or skipped when the table is no longer attached.
 */
export async function dropExpired(db: Database, cutoff: Date): Promise<DropResult> {
  const em = db.orm.em.fork();
  const expired = await em.find(
    LogPartitionEntity,
    { rangeEnd: { $lte: cutoff } },
    { orderBy: { rangeStart: 'asc' } },
  );
  const result: DropResult = { dropped: [], longestDropMs: 0 };
  for (const partition of expired) {
    const started = performance.now();
    const [state] = await db.query<{ pending: boolean }>(
      `select i.inhdetachpending as pending from pg_inherits i
       where i.inhrelid = to_regclass($1) and i.inhparent = 'log_event'::regclass`,
      [partition.name],
    );
    if (state?.pending) {
      await db.query(`alter table "log_event" detach partition "${partition.name}" finalize`);
    } else if (state) {
      await db.query(`alter table "log_event" detach partition "${partition.name}" concurrently`);
    }
    await db.query(`drop table if exists "${partition.name}"`);
    em.remove(partition);
    await em.flush();
    result.longestDropMs = Math.max(result.longestDropMs, performance.now() - started);
    result.dropped.push(partition.name);
  }
  return result;
}
