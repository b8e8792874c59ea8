import assert from 'node:assert';
import { test } from 'node:test';
import type { NewEvent } from '../validate-events.ts';
import { batchJson, sourcesJson } from './insert-events.ts';

const base: NewEvent = {
  clientId: null,
  timestamp: '2026-11-28T09:00:00.123456Z',
  service: 'web',
  level: 2,
  message: 'ok',
  attributes: null,
  traceId: null,
  spanId: null,
  sourceId: null,
};

test('batchJson writes each event as the record json_to_recordset reads', () => {
  const cases: Array<{ name: string; events: NewEvent[]; want: unknown }> = [
    { name: 'empty batch', events: [], want: [] },
    {
      name: 'nulls stay null',
      events: [base],
      want: [{ c: null, t: base.timestamp, s: 'web', l: 2, m: 'ok', a: null }],
    },
    {
      name: 'quotes, backslashes, newlines and SQL in text fields; attributes copied as JSON',
      events: [
        {
          ...base,
          clientId: 'a"b\\c',
          message: 'line 1\nline 2 "quoted" \'); drop table log_event; --',
          attributes: '{"nested":{"list":[1,"two",null]},"emoji":"\u{1F600}"}',
        },
        { ...base, level: 5 },
      ],
      want: [
        {
          c: 'a"b\\c',
          t: base.timestamp,
          s: 'web',
          l: 2,
          m: 'line 1\nline 2 "quoted" \'); drop table log_event; --',
          a: { nested: { list: [1, 'two', null] }, emoji: '\u{1F600}' },
        },
        { c: null, t: base.timestamp, s: 'web', l: 5, m: 'ok', a: null },
      ],
    },
    {
      name: 'trace, span and source ids written only when present',
      events: [
        {
          ...base,
          traceId: '5b8efff798038103d269b633813fc60c',
          spanId: 'eee19b7ec3c1b174',
          sourceId: '0b6f8a5e-2c1d-4e3f-9a7b-1c2d3e4f5a6b',
        },
        { ...base, spanId: 'eee19b7ec3c1b174' },
      ],
      want: [
        {
          c: null,
          t: base.timestamp,
          s: 'web',
          l: 2,
          m: 'ok',
          a: null,
          tr: '\\x5b8efff798038103d269b633813fc60c',
          sp: '\\xeee19b7ec3c1b174',
          so: '0b6f8a5e-2c1d-4e3f-9a7b-1c2d3e4f5a6b',
        },
        { c: null, t: base.timestamp, s: 'web', l: 2, m: 'ok', a: null, sp: '\\xeee19b7ec3c1b174' },
      ],
    },
  ];
  for (const { name, events, want } of cases) {
    assert.deepStrictEqual(JSON.parse(batchJson(events)), want, name);
  }
});

test('sourcesJson writes each source as the record json_to_recordset reads', () => {
  assert.deepStrictEqual(
    JSON.parse(
      sourcesJson([
        {
          id: '0b6f8a5e-2c1d-4e3f-9a7b-1c2d3e4f5a6b',
          resource: '{"service.name":"web"}',
          scope: null,
        },
        { id: '1b6f8a5e-2c1d-4e3f-9a7b-1c2d3e4f5a6b', resource: null, scope: '{"name":"http"}' },
      ]),
    ),
    [
      { i: '0b6f8a5e-2c1d-4e3f-9a7b-1c2d3e4f5a6b', r: { 'service.name': 'web' }, o: null },
      { i: '1b6f8a5e-2c1d-4e3f-9a7b-1c2d3e4f5a6b', r: null, o: { name: 'http' } },
    ],
  );
});
