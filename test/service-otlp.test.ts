/**
 * OTLP/HTTP log ingest against a real PostgreSQL, with the OpenTelemetry JS SDK's own OTLP
 * exporters as the clients: records emitted through the SDK (protobuf and JSON, plain and
 * gzipped, at /v1/otlp/logs and the standard /v1/logs) come back from GET /v1/logs with their
 * attributes, severity, resource, scope and trace ids; a record that breaks a limit is answered
 * as a partial success the exporter understands; failures are Status bodies with the statuses
 * OTLP clients act on, and nothing is acknowledged while the database is away.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { context, type DiagLogger, diag, TraceFlags, trace } from '@opentelemetry/api';
import { OTLPLogExporter as HttpJsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtobufLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordExporter,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import type { Database } from '../service/db.ts';
import { ExportLogsServiceRequest, Status } from '../service/otlp/schema.ts';
import type { StoredEvent } from '../service/store/list-events.ts';
import {
  createTestDatabase,
  openTestDatabase,
  type RunningApp,
  serveApp,
  type TestDatabase,
} from './fixtures/service/harness.ts';
import { startTcpProxy, type TcpProxy } from './fixtures/service/tcp-proxy.ts';

let database: TestDatabase;
let proxy: TcpProxy;
let db: Database;
let running: RunningApp;

before(async () => {
  database = await createTestDatabase('otlp');
  const target = new URL(database.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(database.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  db = await openTestDatabase(viaProxy.toString(), 2);
  running = await serveApp({ db, bodyLimitBytes: 256 * 1024 });
});

after(async () => {
  await running?.close();
  await db?.close();
  await proxy?.close();
  await database?.drop();
});

/** exportSuccess is ExportResultCode.SUCCESS of @opentelemetry/core. */
const exportSuccess = 0;

/** recordingExporter passes batches to an SDK exporter and keeps each export's result code. */
function recordingExporter(inner: LogRecordExporter): LogRecordExporter & { results: number[] } {
  const results: number[] = [];
  return {
    results,
    export(records: ReadableLogRecord[], done) {
      inner.export(records, (result) => {
        results.push(result.code);
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/** sdkLogger is a LoggerProvider for one service exporting through exporter in batches. */
function sdkLogger(serviceName: string, exporter: LogRecordExporter) {
  const provider = new LoggerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        'service.name': serviceName,
        'service.version': '1.4.2',
        'deployment.environment.name': 'test',
      }),
    ),
    processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 60_000 })],
  });
  return { provider, logger: provider.getLogger('checkout-handler', '2.0.1') };
}

async function listEvents(query: string): Promise<StoredEvent[]> {
  const response = await fetch(`${running.baseUrl}/v1/logs?${query}`);
  assert.equal(response.status, 200, `GET /v1/logs?${query}`);
  return ((await response.json()) as { events: StoredEvent[] }).events;
}

const traceId = '5b8efff798038103d269b633813fc60c';
const spanId = 'eee19b7ec3c1b174';

/**
 * emitSample emits one record per severity band (ERROR inside a span), and one with a
 * structured body, then flushes.
 */
async function emitSample(serviceName: string, exporter: LogRecordExporter): Promise<void> {
  const { provider, logger } = sdkLogger(serviceName, exporter);
  const inSpan = trace.setSpanContext(context.active(), {
    traceId,
    spanId,
    traceFlags: TraceFlags.SAMPLED,
  });
  const base = Date.parse('2026-11-30T10:00:00Z');
  const records: Array<[number, string, string]> = [
    [1, 'TRACE', 'entering handler'],
    [6, 'DEBUG2', 'cache lookup'],
    [9, 'INFO', 'order placed'],
    [14, 'WARN2', 'slow payment provider'],
    [17, 'ERROR', 'payment declined'],
    [21, 'FATAL', 'out of memory'],
  ];
  records.forEach(([severityNumber, severityText, body], index) => {
    logger.emit({
      severityNumber,
      severityText,
      body,
      timestamp: new Date(base + index * 1000),
      attributes: {
        'http.route': '/orders/:id',
        'order.id': 4200 + index,
        ratio: 0.25,
        retried: index % 2 === 0,
        tags: ['a', 'b'],
      },
      ...(severityNumber === 17 ? { context: inSpan } : {}),
    });
  });
  logger.emit({
    severityNumber: 9,
    body: { event: 'checkout', items: 3 },
    timestamp: new Date(base + 10_000),
    context: inSpan,
  });
  await provider.forceFlush();
  await provider.shutdown();
}

function byMessage(events: StoredEvent[]): Map<string, StoredEvent> {
  return new Map(events.map((event) => [event.message, event]));
}

describe('the OpenTelemetry SDK exporters as clients', () => {
  const cases = [
    {
      reason: 'protobuf exporter at /v1/otlp/logs',
      service: 'sdk-proto',
      exporter: () => new ProtobufLogExporter({ url: `${running.baseUrl}/v1/otlp/logs` }),
    },
    {
      reason: 'protobuf exporter at the standard path /v1/logs',
      service: 'sdk-proto-standard-path',
      exporter: () => new ProtobufLogExporter({ url: `${running.baseUrl}/v1/logs` }),
    },
    {
      reason: 'JSON exporter at /v1/otlp/logs',
      service: 'sdk-json',
      exporter: () => new HttpJsonLogExporter({ url: `${running.baseUrl}/v1/otlp/logs` }),
    },
  ];
  for (const { reason, service, exporter } of cases) {
    test(`${reason}: records are queryable with severity, attributes, resource, scope and trace ids`, async () => {
      const recording = recordingExporter(exporter());
      await emitSample(service, recording);
      assert.deepStrictEqual(recording.results, [exportSuccess], 'one export, successful');

      const events = byMessage(await listEvents(`service=${service}`));
      assert.equal(events.size, 7);
      assert.deepStrictEqual(
        [
          'entering handler',
          'cache lookup',
          'order placed',
          'slow payment provider',
          'payment declined',
          'out of memory',
        ].map((message) => events.get(message)?.level),
        ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
      );
      const declined = events.get('payment declined')!;
      assert.deepStrictEqual(
        {
          timestamp: declined.timestamp,
          attributes: declined.attributes,
          traceId: declined.traceId,
          spanId: declined.spanId,
          resource: declined.resource,
          scope: declined.scope,
        },
        {
          timestamp: '2026-11-30T10:00:04.000000Z',
          attributes: {
            'http.route': '/orders/:id',
            'order.id': 4204,
            ratio: 0.25,
            retried: true,
            tags: ['a', 'b'],
          },
          traceId,
          spanId,
          resource: {
            ...(declined.resource ?? {}),
            'service.name': service,
            'service.version': '1.4.2',
            'deployment.environment.name': 'test',
          },
          scope: { name: 'checkout-handler', version: '2.0.1' },
        },
      );
      assert.equal(declined.resource?.['telemetry.sdk.language'], 'nodejs');
      const [sources] = await db.query<{ count: number }>(
        "select count(*)::int as count from log_source where resource->>'service.name' = $1",
        [service],
      );
      assert.equal(sources?.count, 1, 'the resource and scope are stored once for all records');
      assert.deepStrictEqual(
        [events.get('order placed')?.traceId, events.get('order placed')?.spanId],
        [null, null],
        'a record outside a span has no trace id',
      );
      assert.equal(events.get('{"event":"checkout","items":3}')?.level, 'info', 'a map body');

      const inTrace = await listEvents(`traceId=${traceId.toUpperCase()}&service=${service}`);
      assert.deepStrictEqual(
        inTrace.map((event) => event.message),
        ['{"event":"checkout","items":3}', 'payment declined'],
        'GET /v1/logs?traceId= returns the events of the trace, newest first',
      );
    });
  }

  test('gzip-compressed exports from both exporters are stored', async () => {
    const previous = process.env.OTEL_EXPORTER_OTLP_LOGS_COMPRESSION;
    process.env.OTEL_EXPORTER_OTLP_LOGS_COMPRESSION = 'gzip';
    try {
      const proto = recordingExporter(
        new ProtobufLogExporter({ url: `${running.baseUrl}/v1/otlp/logs` }),
      );
      const json = recordingExporter(
        new HttpJsonLogExporter({ url: `${running.baseUrl}/v1/otlp/logs` }),
      );
      await emitSample('sdk-gzip-proto', proto);
      await emitSample('sdk-gzip-json', json);
      assert.deepStrictEqual([proto.results, json.results], [[exportSuccess], [exportSuccess]]);
    } finally {
      if (previous === undefined) delete process.env.OTEL_EXPORTER_OTLP_LOGS_COMPRESSION;
      else process.env.OTEL_EXPORTER_OTLP_LOGS_COMPRESSION = previous;
    }
    for (const service of ['sdk-gzip-proto', 'sdk-gzip-json']) {
      const events = await listEvents(`service=${service}&traceId=${traceId}`);
      assert.equal(events.length, 2, service);
    }
  });

  test('a record over a limit is rejected alone, as a partial success the exporter reads', async () => {
    const warnings: string[] = [];
    const capture: DiagLogger = {
      error: () => {},
      warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(capture);
    try {
      for (const Exporter of [ProtobufLogExporter, HttpJsonLogExporter]) {
        const service = `sdk-partial-${Exporter === ProtobufLogExporter ? 'proto' : 'json'}`;
        const recording = recordingExporter(
          new Exporter({ url: `${running.baseUrl}/v1/otlp/logs` }),
        );
        const { provider, logger } = sdkLogger(service, recording);
        logger.emit({ severityNumber: 9, body: 'fits' });
        logger.emit({ severityNumber: 9, body: 'x'.repeat(20_000) });
        await provider.forceFlush();
        await provider.shutdown();
        assert.deepStrictEqual(recording.results, [exportSuccess], service);
        assert.deepStrictEqual(
          (await listEvents(`service=${service}`)).map((event) => event.message),
          ['fits'],
          service,
        );
      }
    } finally {
      diag.disable();
    }
    const partial = warnings.filter((warning) => warning.includes('Partial Success'));
    assert.equal(partial.length, 2, warnings.join('\n'));
    for (const warning of partial) {
      const body = JSON.parse(warning.slice(warning.indexOf('{'))) as {
        rejectedLogRecords: unknown;
        errorMessage: string;
      };
      assert.equal(Number(body.rejectedLogRecords), 1);
      assert.match(body.errorMessage, /logRecords\[1\]: body must be at most 16384 characters/);
    }
  });
});

describe('the OTLP/HTTP answers', () => {
  const otlp = (
    body: string | Uint8Array,
    headers: Record<string, string>,
    path = '/v1/otlp/logs',
  ) => fetch(`${running.baseUrl}${path}`, { method: 'POST', headers, body });

  const jsonExport = (records: unknown[]) =>
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw-json' } }] },
          scopeLogs: [{ scope: { name: 'raw' }, logRecords: records }],
        },
      ],
    });

  test('a full success leaves partial_success unset; a partial one counts every rejected record', async () => {
    const full = await otlp(
      jsonExport([
        { timeUnixNano: '1764496800123456789', severityNumber: 13, body: { stringValue: 'ok' } },
      ]),
      { 'content-type': 'application/json' },
    );
    assert.deepStrictEqual(
      [full.status, full.headers.get('content-type'), await full.text()],
      [200, 'application/json', '{}'],
    );
    const partial = await otlp(
      jsonExport([
        { body: { stringValue: 'good one' }, traceId: traceId.toUpperCase() },
        { body: { stringValue: 'short trace id' }, traceId: 'abcd' },
        { body: { stringValue: 'nul \u0000 inside' } },
        { body: { stringValue: 'good two' }, spanId },
      ]),
      { 'content-type': 'application/json' },
    );
    const answer = (await partial.json()) as {
      partialSuccess: { rejectedLogRecords: string; errorMessage: string };
    };
    assert.equal(partial.status, 200);
    assert.equal(answer.partialSuccess.rejectedLogRecords, '2');
    assert.match(
      answer.partialSuccess.errorMessage,
      /logRecords\[1\]: traceId must be 32 hex digits/,
    );
    assert.match(answer.partialSuccess.errorMessage, /logRecords\[2\]: body must not contain NUL/);
    const stored = await listEvents('service=raw-json');
    assert.deepStrictEqual(
      stored.map((event) => [event.message, event.level, event.traceId, event.spanId]),
      [
        ['good two', 'info', null, spanId],
        ['good one', 'info', traceId, null],
        ['ok', 'warn', null, null],
      ],
      'records without a timestamp take the receipt time; the dated one is older',
    );
    assert.ok(stored.some((event) => event.timestamp === '2025-11-30T10:00:00.123456Z'));
  });

  test('failures are google.rpc.Status bodies in the request encoding', async () => {
    const notProtobuf = await otlp(new Uint8Array([0x0a, 0xff, 0xff, 0xff]), {
      'content-type': 'application/x-protobuf',
    });
    const status = Status.decode(new Uint8Array(await notProtobuf.arrayBuffer())) as unknown as {
      code: number;
      message: string;
    };
    assert.deepStrictEqual(
      [notProtobuf.status, notProtobuf.headers.get('content-type'), status.code, status.message],
      [400, 'application/x-protobuf', 3, 'the body is not an ExportLogsServiceRequest'],
    );

    const cases = [
      {
        reason: 'unknown content type',
        response: () => otlp('hello', { 'content-type': 'text/plain' }),
        status: 415,
      },
      {
        reason: 'not JSON',
        response: () => otlp('{"resourceLogs":', { 'content-type': 'application/json' }),
        status: 400,
      },
      {
        reason: 'resourceLogs not an array',
        response: () => otlp('{"resourceLogs":{}}', { 'content-type': 'application/json' }),
        status: 400,
      },
      {
        reason: 'not gzip although Content-Encoding says so',
        response: () =>
          otlp('{}', { 'content-type': 'application/json', 'content-encoding': 'gzip' }),
        status: 400,
      },
      {
        reason: 'a gzip body that inflates past the limit',
        response: () =>
          otlp(gzipSync(Buffer.alloc(1024 * 1024, 0x20)), {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
          }),
        status: 413,
      },
    ];
    for (const { reason, response, status: expected } of cases) {
      const answer = await response();
      const body = (await answer.json()) as { code: number; message: string };
      assert.deepStrictEqual(
        [answer.status, answer.headers.get('content-type'), typeof body.message],
        [expected, 'application/json', 'string'],
        reason,
      );
    }
  });

  test('an empty export is a success; /v1/logs keeps JSON for the native format', async () => {
    const empty = await otlp(ExportLogsServiceRequest.encode({}).finish(), {
      'content-type': 'application/x-protobuf',
    });
    assert.deepStrictEqual([empty.status, (await empty.arrayBuffer()).byteLength], [200, 0]);
    const nativeJson = await otlp(
      JSON.stringify({ service: 'native', level: 'info', message: 'still native', traceId }),
      { 'content-type': 'application/json' },
      '/v1/logs',
    );
    assert.deepStrictEqual(
      [nativeJson.status, await nativeJson.json()],
      [202, { received: 1, stored: 1, duplicates: 0 }],
    );
    assert.deepStrictEqual(
      (await listEvents(`service=native&traceId=${traceId}`)).map((event) => event.message),
      ['still native'],
    );
  });

  test('while the database is away an export answers 503 with Retry-After, then succeeds', async () => {
    const body = jsonExport([{ body: { stringValue: 'during outage' } }]);
    await proxy.cut();
    try {
      const answer = await otlp(body, { 'content-type': 'application/json' });
      const status = (await answer.json()) as { code: number };
      assert.deepStrictEqual(
        [answer.status, answer.headers.get('retry-after'), status.code],
        [503, '5', 14],
      );
    } finally {
      await proxy.restore();
    }
    const deadline = Date.now() + 20_000;
    let stored = 0;
    while (Date.now() < deadline) {
      const answer = await otlp(body, { 'content-type': 'application/json' });
      await answer.arrayBuffer();
      if (answer.status === 200) {
        stored = (await listEvents('q=outage&service=raw-json')).length;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(stored, 1, 'only the export answered 200 was stored');
  });
});
