import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outsideWindow as outsideAt } from './ingest-window.ts';
import { checkTimestamp } from './timestamp.ts';

/** outsideWindow places a timestamp by the instant validation reads from it (leap seconds too). */
function outsideWindow(timestamp: string, receivedAtMs: number, bounds: typeof window) {
  const checked = checkTimestamp(timestamp);
  assert.ok('millis' in checked, timestamp);
  return outsideAt(checked.millis, receivedAtMs, bounds);
}

const now = Date.parse('2026-12-02T12:00:00Z');
const window = { maxAgeMs: 30 * 86_400_000, maxFutureMs: 2 * 3_600_000 };

test('an event inside the window, at either edge, is kept', () => {
  for (const timestamp of [
    '2026-12-02T12:00:00Z',
    '2026-11-02T12:00:00Z',
    '2026-12-02T14:00:00Z',
    '2026-12-02T08:00:00.123456-05:00',
  ]) {
    assert.equal(outsideWindow(timestamp, now, window), undefined, timestamp);
  }
});

test('older than the retention or beyond the future bound is refused with its reason', () => {
  assert.deepStrictEqual(outsideWindow('2026-11-02T11:59:59.999Z', now, window), {
    bound: 'too_old',
    reason: 'is older than the retention of 30 days: it would be dropped at once',
  });
  assert.equal(outsideWindow('0001-01-01T00:00:00Z', now, window)?.bound, 'too_old');
  assert.deepStrictEqual(outsideWindow('2026-12-02T14:00:00.001Z', now, window), {
    bound: 'too_new',
    reason: "is more than 2 hours ahead of the server's clock (INGEST_MAX_FUTURE_SECONDS)",
  });
  // an offset is honoured: 10:00 at -05:00 is 15:00 UTC
  assert.equal(outsideWindow('2026-12-02T10:00:00-05:00', now, window)?.bound, 'too_new');
  assert.equal(outsideWindow('9999-12-31T23:59:59Z', now, window)?.bound, 'too_new');
  // leap seconds, which Date.parse cannot read, are placed by their instant
  assert.equal(outsideWindow('2999-12-31T23:59:60Z', now, window)?.bound, 'too_new');
  assert.equal(outsideWindow('2016-12-31T23:59:60Z', now, window)?.bound, 'too_old');
  assert.match(
    outsideWindow('2026-12-02T12:01:31Z', now, { maxAgeMs: 86_400_000, maxFutureMs: 90_000 })
      ?.reason ?? '',
    /more than 90 seconds ahead/,
  );
});
