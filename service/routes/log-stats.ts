/** GET /v1/logs/stats: event counts per time bucket and level over a bounded range. */
import type { RequestHandler } from 'express';
import type { Database } from '../db.ts';
import { levels } from '../entities/log-event.ts';
import type { Limiter } from '../limiter.ts';
import { type BucketSize, bucketMillis, countEvents } from '../store/count-events.ts';
import { firstMillis } from '../timestamp.ts';
import { filterParameters, readFilter } from './event-filter.ts';
import { QueryReader } from './query-params.ts';

/** maxBuckets bounds the series length (1m buckets over a day is 1440). */
export const maxBuckets = 1500;

/**
 * logStats builds the handler; the range defaults to the last 24 hours in 1h buckets, and
 * service, level, q and traceId filter as they do in GET /v1/logs.
 */
export function logStats(deps: { db: Database; limiter: Limiter }): RequestHandler {
  return async (req, res) => {
    const reader = new QueryReader(req, [...filterParameters, 'since', 'until', 'bucket']);
    const bucket = reader.oneOf<BucketSize>('bucket', ['1m', '1h', '1d']) ?? '1h';
    const untilGiven = reader.timestamp('until');
    const untilMillis = untilGiven?.millis ?? Date.now();
    const until = untilGiven?.text ?? new Date(untilMillis).toISOString();
    // the default day before until, never before AD 1 (the first instant a timestamp takes)
    const sinceGiven: { text?: string; millis: number } = reader.timestamp('since') ?? {
      millis: Math.max(untilMillis - 86_400_000, firstMillis),
    };
    const since = sinceGiven.text ?? new Date(sinceGiven.millis).toISOString();
    const filter = readFilter(reader);
    const span = untilMillis - sinceGiven.millis;
    if (span <= 0) reader.problem('since', 'must be before until');
    else if (span / bucketMillis[bucket] > maxBuckets) {
      reader.problem('bucket', `the range holds more than ${maxBuckets} buckets of ${bucket}`);
    }
    reader.finish();
    const buckets = await deps.limiter.run(() =>
      countEvents(deps.db, { ...filter, since, until, bucket }),
    );
    res.json({ since, until, bucket, levels, buckets });
  };
}
