import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateEvents } from './validate-events.ts';

const receivedAt = '2026-11-28T08:00:00.000Z';

test('validateEvents normalizes valid events', () => {
  const { events, problems } = validateEvents(
    [
      { service: 'api', level: 'warn', message: 'm', id: 'abc-1' },
      {
        service: 'api',
        level: 'fatal',
        message: '',
        timestamp: '2026-01-01T00:00:00.5+02:00',
        attributes: { a: [1, { b: 'c' }] },
        traceId: '5B8EFFF798038103D269B633813FC60C',
        spanId: 'EEE19B7EC3C1B174',
      },
    ],
    receivedAt,
  );
  assert.deepStrictEqual(problems, []);
  assert.deepStrictEqual(events, [
    {
      clientId: 'abc-1',
      timestamp: receivedAt,
      service: 'api',
      level: 3,
      message: 'm',
      attributes: null,
      traceId: null,
      spanId: null,
      sourceId: null,
    },
    {
      clientId: null,
      timestamp: '2026-01-01T00:00:00.5+02:00',
      service: 'api',
      level: 5,
      message: '',
      attributes: '{"a":[1,{"b":"c"}]}',
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      sourceId: null,
    },
  ]);
});

test('validateEvents reports each problem with index, field and reason', () => {
  const deep = { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } };
  const cases = [
    {
      reason: 'missing field',
      value: { service: 'a', level: 'info' },
      expected: [{ index: 0, field: 'message', reason: 'is required' }],
    },
    {
      reason: 'unknown field',
      value: { service: 'a', level: 'info', message: 'x', extra: 1 },
      expected: [{ index: 0, field: 'extra', reason: 'is not a known field' }],
    },
    {
      reason: 'trace id not 32 hex digits',
      value: { service: 'a', level: 'info', message: 'x', traceId: 'abc' },
      expected: [{ index: 0, field: 'traceId', reason: 'must match pattern "^[0-9a-fA-F]{32}$"' }],
    },
    {
      reason: 'NUL in message',
      value: { service: 'a', level: 'info', message: 'a\u0000b' },
      expected: [{ index: 0, field: 'message', reason: 'must not contain NUL characters' }],
    },
    {
      reason: 'lone surrogate',
      value: { service: 'a', level: 'info', message: 'a\ud800' },
      expected: [
        { index: 0, field: 'message', reason: 'must not contain unpaired UTF-16 surrogates' },
      ],
    },
    {
      reason: 'too deep',
      value: { service: 'a', level: 'info', message: 'x', attributes: deep },
      expected: [{ index: 0, field: 'attributes', reason: 'must not nest deeper than 8 levels' }],
    },
    {
      reason: 'too big',
      value: { service: 'a', level: 'info', message: 'x', attributes: { s: 'x'.repeat(9000) } },
      expected: [
        { index: 0, field: 'attributes', reason: 'must not exceed 8192 bytes serialized' },
      ],
    },
    {
      reason: 'year zero',
      value: { service: 'a', level: 'info', message: 'x', timestamp: '0000-01-01T00:00:00Z' },
      expected: [
        { index: 0, field: 'timestamp', reason: 'must be within the years 1 to 9999 in UTC' },
      ],
    },
    {
      reason: 'an offset PostgreSQL refuses',
      value: { service: 'a', level: 'info', message: 'x', timestamp: '2026-06-01T00:00:00+23:59' },
      expected: [
        { index: 0, field: 'timestamp', reason: 'must have a time zone offset within ±15:59' },
      ],
    },
  ];
  for (const { reason, value, expected } of cases) {
    const result = validateEvents([value], receivedAt);
    assert.deepStrictEqual(result, { events: [], problems: expected, outside: [] }, reason);
  }
});
