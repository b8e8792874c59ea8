/**
 * POST /v1/otlp/logs (and POST /v1/logs with a protobuf body): OTLP/HTTP log exports, binary
 * protobuf or JSON, optionally gzipped. Every storable record of the export is stored in one
 * statement, and 200 is sent only after PostgreSQL has committed it; records that cannot be
 * stored are counted in `partial_success` as the OTLP specification says. Failures answer a
 * google.rpc.Status in the request's encoding, with the statuses OTLP clients act on: 400 and
 * 413 are final, 429 and 503 (with Retry-After) are retried.
 */
import { isUtf8 } from 'node:buffer';
import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Database } from '../db.ts';
import { HttpError, toHttpError } from '../errors.ts';
import type { IngestWindow } from '../ingest-window.ts';
import type { Limiter } from '../limiter.ts';
import type { Metrics } from '../metrics.ts';
import { decodeExportRequest, ExportLogsServiceResponse, Status } from '../otlp/schema.ts';
import { type OtlpEncoding, otlpToEvents } from '../otlp/to-events.ts';
import { readBody } from '../read-body.ts';
import { insertEvents } from '../store/insert-events.ts';
import type { EventSource } from '../validate-events.ts';

const protobufTypes = new Set(['application/x-protobuf', 'application/protobuf']);

/** otlpEncodingOf tells the encoding from a Content-Type header (undefined: not OTLP). */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  if (!contentType) return undefined;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (protobufTypes.has(type)) return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

const contentTypes: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** grpcCodes are the google.rpc.Code values put in Status.code (informative for clients). */
function grpcCode(status: number): number {
  if (status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 503) return 14; // UNAVAILABLE
  if (status >= 400 && status < 500) return 3; // INVALID_ARGUMENT
  return 13; // INTERNAL
}

function decode(body: Buffer, encoding: OtlpEncoding): unknown {
  if (encoding === 'protobuf') {
    try {
      return decodeExportRequest(body);
    } catch (err) {
      throw new HttpError(400, 'invalid_protobuf', 'the body is not an ExportLogsServiceRequest', {
        details: { reason: (err as Error).message },
      });
    }
  }
  if (!isUtf8(body)) {
    throw new HttpError(400, 'invalid_encoding', 'the request body is not valid UTF-8');
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'invalid_json', 'the request body is not valid JSON', {
      details: { reason: (err as Error).message },
    });
  }
}

function send(
  res: ServerResponse,
  status: number,
  encoding: OtlpEncoding,
  body: string | Uint8Array,
) {
  res.statusCode = status;
  res.setHeader('Content-Type', contentTypes[encoding]);
  res.end(body);
}

/** successBody is an ExportLogsServiceResponse, partial_success set only when records were rejected. */
function successBody(
  encoding: OtlpEncoding,
  rejected: number,
  problems: string[],
): string | Uint8Array {
  if (rejected === 0) return encoding === 'json' ? '{}' : new Uint8Array(0);
  const errorMessage = `${rejected} log record(s) rejected: ${problems.join('; ')}`;
  if (encoding === 'json') {
    // int64 is a decimal string in the protobuf JSON mapping
    return JSON.stringify({
      partialSuccess: { rejectedLogRecords: String(rejected), errorMessage },
    });
  }
  return ExportLogsServiceResponse.encode({
    partialSuccess: { rejectedLogRecords: rejected, errorMessage },
  }).finish();
}

function sendStatus(res: ServerResponse, encoding: OtlpEncoding, error: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  const status = { code: grpcCode(error.status), message: error.message };
  send(
    res,
    error.status,
    encoding,
    encoding === 'json' ? JSON.stringify(status) : Status.encode(status).finish(),
  );
}

/** maxRememberedSources bounds the ids of sources known to be stored. */
const maxRememberedSources = 10_000;

/**
 * ingestOtlpLogs builds the handler; it answers its own errors in OTLP's Status shape. It
 * remembers the sources it has committed (nothing deletes a source), so the steady stream of
 * exports from the same resources does not write them again.
 */
export function ingestOtlpLogs(deps: {
  db: Database;
  limiter: Limiter;
  metrics: Metrics;
  logger: Logger;
  bodyLimitBytes: number;
  ingestWindow?: IngestWindow;
}): RequestHandler {
  const storedSources = new Set<string>();
  const rememberSources = (sources: EventSource[]) => {
    if (storedSources.size + sources.length > maxRememberedSources) storedSources.clear();
    for (const source of sources) storedSources.add(source.id);
  };
  return async (req, res) => {
    const encoding = otlpEncodingOf(req.headers['content-type']);
    try {
      if (encoding === undefined) {
        req.resume();
        throw new HttpError(
          415,
          'unsupported_media_type',
          `cannot accept ${req.headers['content-type'] ?? 'a body without Content-Type'}: OTLP/HTTP is application/x-protobuf or application/json`,
        );
      }
      const receivedAt = new Date().toISOString();
      const body = await readBody(req, deps.bodyLimitBytes);
      const { events, sources, rejected, problems, outsideWindow } = otlpToEvents(
        decode(body, encoding),
        deps.ingestWindow ? { at: receivedAt, window: deps.ingestWindow } : { at: receivedAt },
      );
      const fresh = sources.filter((source) => !storedSources.has(source.id));
      const stored =
        events.length > 0 ? await deps.limiter.run(() => insertEvents(deps.db, events, fresh)) : 0;
      if (events.length > 0) rememberSources(fresh);
      deps.metrics.eventsIngested.inc(stored);
      if (rejected > 0) deps.metrics.otlpRecordsRejected.inc(rejected);
      for (const [reason, count] of Object.entries(outsideWindow)) {
        if (count > 0) deps.metrics.eventsRejected.inc({ reason }, count);
      }
      send(res, 200, encoding, successBody(encoding, rejected, problems));
    } catch (err) {
      sendStatus(res, encoding ?? 'json', toHttpError(err, req, deps.logger));
    }
  };
}
