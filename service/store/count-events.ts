/**
 * Event counts per time bucket and level for a chart. Empty buckets are filled with zeros so
 * the series is continuous; the number of buckets is bounded by the caller.
 */
import type { Database } from '../db.ts';
import { levels } from '../entities/log-event.ts';
import { type EventFilter, eventConditions } from './list-events.ts';

/** BucketSize is the width of one bucket. */
export type BucketSize = '1m' | '1h' | '1d';

/** bucketMillis is the width of each bucket size in milliseconds. */
export const bucketMillis: Record<BucketSize, number> = {
  '1m': 60_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};

const truncUnit: Record<BucketSize, string> = { '1m': 'minute', '1h': 'hour', '1d': 'day' };

/** BucketCounts is one bucket of the series. */
export interface BucketCounts {
  start: string;
  total: number;
  counts: Record<string, number>;
}

interface CountRow {
  bucket: string;
  level: number;
  count: number;
}

function isoSeconds(millis: number): string {
  return `${new Date(millis).toISOString().slice(0, 19)}Z`;
}

/** countEvents returns every bucket from the one holding since up to until, zeros included. */
export async function countEvents(
  db: Database,
  query: Omit<EventFilter, 'limit' | 'after'> & {
    since: string;
    until: string;
    bucket: BucketSize;
  },
): Promise<BucketCounts[]> {
  const params: unknown[] = [truncUnit[query.bucket]];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const { bucket: _bucket, ...filter } = query;
  const conditions = eventConditions(filter, param);
  const rows = await db.read<CountRow>(
    `select to_char(date_trunc($1, ts at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bucket,
       level, count(*)::int as count
     from log_event
     where ${conditions.join(' and ')}
     group by 1, 2`,
    params,
  );
  const width = bucketMillis[query.bucket];
  const first = Math.floor(Date.parse(query.since) / width) * width;
  const end = Date.parse(query.until);
  const buckets = new Map<string, BucketCounts>();
  for (let start = first; start < end; start += width) {
    const key = isoSeconds(start);
    buckets.set(key, {
      start: key,
      total: 0,
      counts: Object.fromEntries(levels.map((level) => [level, 0])),
    });
  }
  for (const row of rows) {
    const bucket = buckets.get(row.bucket);
    const level = levels[row.level];
    if (!bucket || !level) continue;
    bucket.counts[level] = row.count;
    bucket.total += row.count;
  }
  return [...buckets.values()];
}
