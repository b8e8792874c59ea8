import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partitionName, periodOf, type Range, rangeFor } from './partition-ranges.ts';

const at = (iso: string) => Date.parse(iso);
const range = (start: string, end: string): Range => ({ start: at(start), end: at(end) });

test('periodOf is the UTC day or hour holding the instant', () => {
  assert.deepStrictEqual(
    periodOf(at('2026-12-02T13:45:00.5Z'), 'day'),
    range('2026-12-02T00:00:00Z', '2026-12-03T00:00:00Z'),
  );
  assert.deepStrictEqual(
    periodOf(at('2026-12-02T13:45:00.5Z'), 'hour'),
    range('2026-12-02T13:00:00Z', '2026-12-02T14:00:00Z'),
  );
  assert.deepStrictEqual(
    periodOf(at('0001-01-01T00:30:00Z'), 'day'),
    range('0001-01-01T00:00:00Z', '0001-01-02T00:00:00Z'),
  );
});

test('rangeFor fills the period, or the gap the neighbouring partitions leave', () => {
  const hours = [
    range('2026-12-02T00:00:00Z', '2026-12-02T01:00:00Z'),
    range('2026-12-02T13:00:00Z', '2026-12-02T14:00:00Z'),
  ];
  const cases: Array<{ name: string; instant: string; existing: Range[]; want?: Range }> = [
    {
      name: 'no partitions: the whole day',
      instant: '2026-12-02T05:00:00Z',
      existing: [],
      want: range('2026-12-02T00:00:00Z', '2026-12-03T00:00:00Z'),
    },
    {
      name: 'between hourly partitions: the gap',
      instant: '2026-12-02T05:00:00Z',
      existing: hours,
      want: range('2026-12-02T01:00:00Z', '2026-12-02T13:00:00Z'),
    },
    {
      name: 'after the last hourly partition: up to the end of the day',
      instant: '2026-12-02T20:00:00Z',
      existing: hours,
      want: range('2026-12-02T14:00:00Z', '2026-12-03T00:00:00Z'),
    },
    { name: 'held already', instant: '2026-12-02T13:30:00Z', existing: hours },
    {
      name: 'partitions of other days do not shrink it',
      instant: '2026-12-03T05:00:00Z',
      existing: hours,
      want: range('2026-12-03T00:00:00Z', '2026-12-04T00:00:00Z'),
    },
  ];
  for (const { name, instant, existing, want } of cases) {
    assert.deepStrictEqual(rangeFor(at(instant), 'day', existing), want, name);
  }
});

test('partitionName names a whole day by its date and anything else by its first hour', () => {
  assert.deepStrictEqual(
    [
      partitionName(range('2026-12-02T00:00:00Z', '2026-12-03T00:00:00Z')),
      partitionName(range('2026-12-02T13:00:00Z', '2026-12-02T14:00:00Z')),
      partitionName(range('2026-12-02T00:00:00Z', '2026-12-02T01:00:00Z')),
      partitionName(range('0001-01-01T00:00:00Z', '0001-01-02T00:00:00Z')),
    ],
    [
      'log_event_p20261202',
      'log_event_p2026120213',
      'log_event_p2026120200',
      'log_event_p00010101',
    ],
  );
});
