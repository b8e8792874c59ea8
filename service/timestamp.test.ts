import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkTimestamp } from './timestamp.ts';

test('checkTimestamp takes RFC 3339 instants within AD 1 to 9999 UTC and says why it refuses', () => {
  const cases = [
    { reason: 'UTC', text: '2026-06-01T00:00:00Z', millis: Date.UTC(2026, 5, 1) },
    {
      reason: 'offset and fraction',
      text: '2026-06-01T02:00:00.5+02:00',
      millis: Date.UTC(2026, 5, 1, 0, 0, 0, 500),
    },
    {
      reason: 'largest offset',
      text: '2026-06-01T00:00:00-15:59',
      millis: Date.UTC(2026, 5, 1, 15, 59),
    },
    { reason: 'leap day', text: '2024-02-29T00:00:00Z', millis: Date.UTC(2024, 1, 29) },
    { reason: 'first instant', text: '0001-01-01T00:00:00Z', millis: -62_135_596_800_000 },
    { reason: 'last second', text: '9999-12-31T23:59:59.999999Z', millis: 253_402_300_799_999 },
    {
      reason: 'leap second at the end of a UTC day',
      text: '2016-12-31T23:59:60Z',
      millis: Date.UTC(2017, 0, 1),
    },
    { reason: 'offset beyond 15:59', text: '2026-06-01T00:00:00+23:59', refused: /±15:59/ },
    { reason: 'offset minutes 60', text: '2026-06-01T00:00:00+01:60', refused: /±15:59/ },
    { reason: 'February 30', text: '2026-02-30T00:00:00Z', refused: /calendar date/ },
    {
      reason: 'February 29 of a common year',
      text: '1900-02-29T00:00:00Z',
      refused: /calendar date/,
    },
    { reason: 'month 13', text: '2026-13-01T00:00:00Z', refused: /calendar date/ },
    { reason: 'hour 24', text: '2026-06-01T24:00:00Z', refused: /time of day/ },
    { reason: 'leap second mid-day', text: '2026-06-01T12:00:60Z', refused: /time of day/ },
    { reason: 'year 10000 in UTC', text: '9999-12-31T23:00:00-05:00', refused: /years 1 to 9999/ },
    { reason: '1 BC in UTC', text: '0001-01-01T00:30:00+01:00', refused: /years 1 to 9999/ },
    { reason: 'year 0', text: '0000-06-01T00:00:00Z', refused: /years 1 to 9999/ },
    { reason: 'no time zone', text: '2026-06-01T00:00:00', refused: /RFC 3339/ },
    { reason: 'offset without a colon', text: '2026-06-01T00:00:00+0100', refused: /RFC 3339/ },
    { reason: 'five-digit year', text: '10000-01-01T00:00:00Z', refused: /RFC 3339/ },
  ];
  for (const { reason, text, millis, refused } of cases) {
    const checked = checkTimestamp(text);
    if (refused) assert.match('reason' in checked ? checked.reason : 'taken', refused, reason);
    else assert.deepStrictEqual(checked, { millis }, reason);
  }
});

const pad = (value: number, width: number) => String(value).padStart(width, '0');

test('property: every field combination is taken exactly when PostgreSQL would keep it unchanged', () => {
  fc.assert(
    fc.property(
      fc.record({
        year: fc.integer({ min: 0, max: 9999 }),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        hour: fc.integer({ min: 0, max: 25 }),
        minute: fc.integer({ min: 0, max: 61 }),
        second: fc.integer({ min: 0, max: 59 }),
        offsetHours: fc.integer({ min: -24, max: 24 }),
        offsetMinutes: fc.integer({ min: 0, max: 60 }),
      }),
      (f) => {
        const sign = f.offsetHours < 0 ? '-' : '+';
        const text = `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}T${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}${sign}${pad(Math.abs(f.offsetHours), 2)}:${pad(f.offsetMinutes, 2)}`;
        const checked = checkTimestamp(text);
        // an independent oracle: Date with a four-digit year, read back field by field
        const local = new Date(0);
        local.setUTCFullYear(f.year, f.month - 1, f.day);
        local.setUTCHours(f.hour, f.minute, f.second);
        const realDate =
          local.getUTCFullYear() === f.year &&
          local.getUTCMonth() === f.month - 1 &&
          local.getUTCDate() === f.day &&
          f.month >= 1 &&
          f.hour <= 23 &&
          f.minute <= 59;
        const offset = Math.abs(f.offsetHours) * 60 + f.offsetMinutes;
        const instant = local.getTime() - (sign === '-' ? -1 : 1) * offset * 60_000;
        const expected =
          realDate &&
          f.offsetMinutes <= 59 &&
          offset <= 15 * 60 + 59 &&
          new Date(instant).getUTCFullYear() >= 1 &&
          new Date(instant).getUTCFullYear() <= 9999;
        assert.equal('millis' in checked, expected, `${text}: ${JSON.stringify(checked)}`);
        if ('millis' in checked) assert.equal(checked.millis, instant, text);
      },
    ),
    { numRuns: 5000, seed: 14 },
  );
});

test('property: arbitrary strings never throw, and a refusal always has a reason', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/),
      ),
      (text) => {
        const checked = checkTimestamp(text);
        assert.ok(
          'millis' in checked ? Number.isFinite(checked.millis) : checked.reason.length > 0,
        );
      },
    ),
    { numRuns: 2000, seed: 14 },
  );
});
