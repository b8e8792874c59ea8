import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../errors.ts';
import { decodeExportRequest, ExportLogsServiceRequest } from './schema.ts';
import { levelOf, maxOtlpRecords, microsToIso, otlpToEvents, sourceIdOf } from './to-events.ts';

const receivedAt = '2026-12-01T08:00:00.000000Z';

function exportOf(records: unknown[], resource: unknown = serviceResource('web'), scope?: unknown) {
  return { resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords: records }] }] };
}

function serviceResource(name: unknown) {
  return { attributes: [{ key: 'service.name', value: { stringValue: name } }] };
}

test('levelOf maps severity numbers by band of four, else the text, else info', () => {
  const cases: Array<{ reason: string; number: unknown; text: unknown; want: number }> = [
    { reason: 'TRACE', number: 1, text: '', want: 0 },
    { reason: 'TRACE4', number: 4, text: '', want: 0 },
    { reason: 'DEBUG', number: 5, text: '', want: 1 },
    { reason: 'INFO3', number: 11, text: '', want: 2 },
    { reason: 'WARN', number: 13, text: 'INFO', want: 3 },
    { reason: 'ERROR4', number: 20, text: '', want: 4 },
    { reason: 'FATAL', number: 21, text: '', want: 5 },
    { reason: 'beyond FATAL4', number: 30, text: '', want: 5 },
    { reason: 'unspecified with a known text', number: 0, text: 'Error', want: 4 },
    { reason: 'unspecified with warning', number: 0, text: 'WARNING', want: 3 },
    { reason: 'unspecified with critical', number: 0, text: 'critical', want: 5 },
    { reason: 'unspecified, unknown text', number: 0, text: 'loud', want: 2 },
    { reason: 'nothing', number: undefined, text: undefined, want: 2 },
  ];
  for (const { reason, number, text, want } of cases) {
    assert.equal(levelOf(number, text), want, reason);
  }
});

test('microsToIso keeps six decimals', () => {
  assert.equal(microsToIso(1_764_496_800_123_456), '2025-11-30T10:00:00.123456Z');
  assert.equal(microsToIso(1_000), '1970-01-01T00:00:00.001000Z');
});

test('otlpToEvents maps JSON records; the values OTLP has and JSON has not become text', () => {
  const { events, sources, rejected } = otlpToEvents(
    exportOf(
      [
        {
          timeUnixNano: '1764496800123456789',
          severityNumber: 17,
          body: { kvlistValue: { values: [{ key: 'order', value: { intValue: '42' } }] } },
          traceId: '5B8EFFF798038103D269B633813FC60C',
          spanId: '0000000000000000',
          attributes: [
            { key: 'big', value: { intValue: '9007199254740993' } },
            { key: 'raw', value: { bytesValue: 'AQI=' } },
            { key: 'nan', value: { doubleValue: 'NaN' } },
            { key: 'list', value: { arrayValue: { values: [{ boolValue: true }, {}] } } },
            { key: 'big', value: { intValue: 7 } },
          ],
        },
        { observedTimeUnixNano: 1_764_496_800_000_001_000, eventName: 'cart.cleared' },
      ],
      {
        attributes: [
          { key: 'service.name', value: { stringValue: 'web' } },
          { key: 'host.name', value: { stringValue: 'a1' } },
        ],
      },
      { name: 'http', version: '1.0', attributes: [{ key: 'x', value: { stringValue: 'y' } }] },
    ),
    receivedAt,
  );
  assert.equal(rejected, 0);
  const resource = '{"service.name":"web","host.name":"a1"}';
  const scope = '{"name":"http","version":"1.0","attributes":{"x":"y"}}';
  const sourceId = sourceIdOf(resource, scope);
  assert.match(sourceId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.deepStrictEqual(sources, [{ id: sourceId, resource, scope }], 'one source, once');
  assert.deepStrictEqual(events, [
    {
      clientId: null,
      timestamp: '2025-11-30T10:00:00.123456Z',
      service: 'web',
      level: 4,
      message: '{"order":42}',
      attributes: '{"big":7,"raw":"AQI=","nan":"NaN","list":[true,null]}',
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: null,
      sourceId,
    },
    {
      clientId: null,
      timestamp: '2025-11-30T10:00:00.000001Z',
      service: 'web',
      level: 2,
      message: 'cart.cleared',
      attributes: null,
      traceId: null,
      spanId: null,
      sourceId,
    },
  ]);
});

test('otlpToEvents reads decoded protobuf the same way, 64-bit values exactly', () => {
  const message = decodeExportRequest(
    ExportLogsServiceRequest.encode(
      ExportLogsServiceRequest.fromObject(
        exportOf([
          {
            timeUnixNano: '1764496800999999999',
            severityNumber: 9,
            body: { stringValue: 'hello' },
            traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'),
            spanId: Buffer.from('eee19b7ec3c1b174', 'hex'),
            attributes: [
              { key: 'big', value: { intValue: '-9007199254740993' } },
              { key: 'raw', value: { bytesValue: Buffer.from([1, 2]) } },
            ],
          },
          {},
        ]),
      ),
    ).finish(),
  );
  const { events } = otlpToEvents(message, receivedAt);
  assert.deepStrictEqual(
    events.map((event) => [
      event.timestamp,
      event.message,
      event.attributes,
      event.traceId,
      event.spanId,
    ]),
    [
      [
        '2025-11-30T10:00:00.999999Z',
        'hello',
        '{"big":"-9007199254740993","raw":"AQI="}',
        '5b8efff798038103d269b633813fc60c',
        'eee19b7ec3c1b174',
      ],
      [receivedAt, '', null, null, null],
    ],
  );
});

test('otlpToEvents rejects the records that break a limit and keeps the rest', () => {
  let deep: unknown = { stringValue: 'bottom' };
  for (let level = 0; level < 9; level++) {
    deep = { kvlistValue: { values: [{ key: 'k', value: deep }] } };
  }
  const cases: Array<{ reason: string; record: unknown; problem: RegExp }> = [
    { reason: 'short trace id', record: { traceId: 'abc' }, problem: /traceId must be 32 hex/ },
    { reason: 'span id not hex', record: { spanId: 'zzzzzzzzzzzzzzzz' }, problem: /spanId/ },
    { reason: 'too deep', record: { attributes: [{ key: 'd', value: deep }] }, problem: /nest/ },
    {
      reason: 'too many attributes',
      record: {
        attributes: Array.from({ length: 129 }, (_, n) => ({
          key: `k${n}`,
          value: { intValue: n },
        })),
      },
      problem: /at most 128 keys/,
    },
    {
      reason: 'attributes too large',
      record: { attributes: [{ key: 'big', value: { stringValue: 'x'.repeat(9000) } }] },
      problem: /8192 bytes/,
    },
    {
      reason: 'unpaired surrogate in an attribute',
      record: { attributes: [{ key: 'bad', value: { stringValue: '\ud800' } }] },
      problem: /unpaired surrogates/,
    },
    { reason: 'bad time', record: { timeUnixNano: 'soon' }, problem: /timeUnixNano/ },
    { reason: 'not an object', record: 'text', problem: /is not an object/ },
  ];
  for (const { reason, record, problem } of cases) {
    const { events, rejected, problems } = otlpToEvents(
      exportOf([{ body: { stringValue: 'kept' } }, record]),
      receivedAt,
    );
    assert.deepStrictEqual([events.map((event) => event.message), rejected], [['kept'], 1], reason);
    assert.match(
      problems[0] ?? '',
      /^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[1\]: /,
      reason,
    );
    assert.match(problems[0] ?? '', problem, reason);
  }
});

test('otlpToEvents names the service from the resource and rejects a resource it cannot store', () => {
  const cases: Array<{ reason: string; resource: unknown; service?: string; rejected: number }> = [
    { reason: 'no resource', resource: null, service: 'unknown_service', rejected: 0 },
    {
      reason: 'empty name',
      resource: serviceResource(''),
      service: 'unknown_service',
      rejected: 0,
    },
    {
      reason: 'any text',
      resource: serviceResource('billing api:v2'),
      service: 'billing api:v2',
      rejected: 0,
    },
    { reason: 'name too long', resource: serviceResource('s'.repeat(129)), rejected: 2 },
  ];
  for (const { reason, resource, service, rejected } of cases) {
    const outcome = otlpToEvents(exportOf([{}, {}], resource), receivedAt);
    assert.deepStrictEqual(
      [outcome.events.map((event) => event.service), outcome.rejected],
      [service === undefined ? [] : [service, service], rejected],
      reason,
    );
  }
});

test('otlpToEvents refuses a body that is not an export request, and one too large', () => {
  const cases: Array<{ reason: string; body: unknown; status: number }> = [
    { reason: 'not an object', body: [], status: 400 },
    { reason: 'resourceLogs not a list', body: { resourceLogs: 'x' }, status: 400 },
    { reason: 'a resourceLogs entry not an object', body: { resourceLogs: [1] }, status: 400 },
    { reason: 'scopeLogs not a list', body: { resourceLogs: [{ scopeLogs: {} }] }, status: 400 },
    {
      reason: 'too many records',
      body: exportOf(Array.from({ length: maxOtlpRecords + 1 }, () => ({}))),
      status: 413,
    },
  ];
  for (const { reason, body, status } of cases) {
    assert.throws(
      () => otlpToEvents(body, receivedAt),
      (err: unknown) => err instanceof HttpError && err.status === status,
      reason,
    );
  }
  assert.deepStrictEqual(otlpToEvents({}, receivedAt), {
    events: [],
    sources: [],
    rejected: 0,
    problems: [],
    outsideWindow: { too_old: 0, too_new: 0 },
  });
});

test('sourceIdOf is the same for the same content and differs with either part', () => {
  const web = '{"service.name":"web"}';
  const ids = [
    sourceIdOf(web, null),
    sourceIdOf(web, null),
    sourceIdOf(web, '{"name":"http"}'),
    sourceIdOf('{"service.name":"api"}', null),
    sourceIdOf(null, '{"name":"http"}'),
  ];
  assert.equal(ids[0], ids[1]);
  assert.equal(new Set(ids).size, 4);
  assert.equal(sourceIdOf(null, null), null);
});
