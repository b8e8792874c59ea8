/**
 * The ingest window: the span of event times the service stores, 2 hours ahead of the clock and
 * the retention behind it (CloudWatch Logs' PutLogEvents: 2 hours, and 14 days or the log group's
 * retention). An event older
 * than the retention would be dropped by the next retention pass, and one far ahead of the clock
 * would sit on top of every newest-first page until its day comes; both would also make
 * partitions on demand, one per distinct day (or hour) they fall in. Events outside the window
 * are refused one by one, and the rest of their batch is stored.
 */
/** IngestWindow is how far behind and ahead of the server's clock an event may be. */
export interface IngestWindow {
  maxAgeMs: number;
  maxFutureMs: number;
}

/** OutsideWindow is why one event falls outside the window. */
export interface OutsideWindow {
  bound: 'too_old' | 'too_new';
  reason: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** spanText writes a bound as a person says it: `30 days`, `2 hours`, `90 seconds`. */
function spanText(ms: number): string {
  const [unit, size] =
    ms % DAY_MS === 0 ? ['day', DAY_MS] : ms % HOUR_MS === 0 ? ['hour', HOUR_MS] : ['second', 1000];
  const count = Math.round(ms / size);
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/**
 * outsideWindow tells whether an event's instant (milliseconds, as checkTimestamp reads it, leap
 * seconds included) falls outside the window around receivedAtMs; undefined when it is inside.
 */
export function outsideWindow(
  at: number,
  receivedAtMs: number,
  window: IngestWindow,
): OutsideWindow | undefined {
  if (at < receivedAtMs - window.maxAgeMs) {
    return {
      bound: 'too_old',
      reason: `is older than the retention of ${spanText(window.maxAgeMs)}: it would be dropped at once`,
    };
  }
  if (at > receivedAtMs + window.maxFutureMs) {
    return {
      bound: 'too_new',
      reason: `is more than ${spanText(window.maxFutureMs)} ahead of the server's clock (INGEST_MAX_FUTURE_SECONDS)`,
    };
  }
  return undefined;
}
