/**
 * The OpenAPI 3.1 description served at /openapi.json. The event schema is the same file ajv
 * validates with (schemas/log-event.schema.json), so the document cannot drift from the checks.
 */
import { levels } from './entities/log-event.ts';
import { logEventSchema } from './validate-events.ts';

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const timeParam = (name: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'string', format: 'date-time' },
});

const { $schema: _ignored, $id: _id, ...eventSchema } = logEventSchema;

const filterParams = [
  { name: 'service', in: 'query', schema: { type: 'string' } },
  {
    name: 'level',
    in: 'query',
    description: 'minimum level',
    schema: { type: 'string', enum: [...levels] },
  },
  {
    name: 'q',
    in: 'query',
    description:
      'full-text search over the message (web search syntax: words, "phrases", -not, or)',
    schema: { type: 'string', maxLength: 256 },
  },
  {
    name: 'traceId',
    in: 'query',
    description: 'only the events of this trace (32 hex digits, any case)',
    schema: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' },
  },
];

const otlpProtobuf = {
  schema: {
    type: 'string',
    contentMediaType: 'application/x-protobuf',
    description:
      'a binary opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest (gzip with Content-Encoding: gzip)',
  },
};

const otlpResponses = {
  '200': {
    description:
      "Committed. Records that could not be stored are counted in partialSuccess (left unset when every record was stored); the answer has the request's encoding",
    content: {
      'application/json': { schema: { $ref: '#/components/schemas/ExportLogsServiceResponse' } },
      'application/x-protobuf': {
        schema: {
          type: 'string',
          description: 'a binary ExportLogsServiceResponse',
        },
      },
    },
  },
  '400': otlpStatus('The body cannot be decoded or is not an export request; not retryable'),
  '413': otlpStatus('Body (or its gunzipped bytes) over the limit, or more than 10000 records'),
  '415': otlpStatus('Content-Type is not application/x-protobuf or application/json'),
  '429': otlpStatus('The server is shedding load; retry after Retry-After seconds'),
  '503': otlpStatus('The database is unavailable; retry after Retry-After seconds'),
};

function otlpStatus(description: string) {
  return {
    description: `${description}. The body is a google.rpc.Status in the request's encoding`,
    content: {
      'application/json': { schema: { $ref: '#/components/schemas/Status' } },
      'application/x-protobuf': {
        schema: { type: 'string', description: 'a binary google.rpc.Status' },
      },
    },
  };
}

/** openApiDocument is the API description. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Log service',
    version: '1.0.0',
    description:
      'Ingests structured log events (its own JSON / NDJSON, and OpenTelemetry OTLP/HTTP) into PostgreSQL and serves filtered, paginated queries, time-bucketed counts and a log explorer page.',
  },
  paths: {
    '/v1/logs': {
      post: {
        summary: 'Ingest one event or a batch of up to 1000 (or, in protobuf, an OTLP export)',
        description:
          'All events are validated first; a batch with any invalid event is rejected whole. 202 is returned once the events are committed. Events carrying an id that was already stored are skipped, so retries are safe. An event whose time is older than the retention (RETENTION_DAYS) or more than INGEST_MAX_FUTURE_SECONDS ahead of the clock is refused alone and listed in rejectedEvents; the rest of the batch is stored. A body sent as application/x-protobuf is an OTLP/HTTP logs export and is handled and answered exactly as POST /v1/otlp/logs (200 with an ExportLogsServiceResponse); OTLP/JSON must be sent to /v1/otlp/logs, since application/json here is the native format.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                oneOf: [
                  { $ref: '#/components/schemas/LogEvent' },
                  {
                    type: 'array',
                    minItems: 1,
                    maxItems: 1000,
                    items: { $ref: '#/components/schemas/LogEvent' },
                  },
                ],
              },
            },
            'application/x-ndjson': {
              schema: {
                type: 'string',
                description: 'one LogEvent JSON object per line, up to 1000 lines',
              },
            },
            'application/x-protobuf': otlpProtobuf,
          },
        },
        responses: {
          '202': {
            description: 'Stored',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['received', 'stored', 'duplicates'],
                  properties: {
                    received: { type: 'integer' },
                    stored: { type: 'integer' },
                    duplicates: { type: 'integer' },
                    rejected: {
                      type: 'integer',
                      description: 'events outside the ingest window (absent when none)',
                    },
                    rejectedEvents: {
                      type: 'array',
                      maxItems: 1000,
                      items: {
                        type: 'object',
                        required: ['index', 'field', 'reason'],
                        properties: {
                          index: { type: 'integer' },
                          field: { type: 'string', enum: ['timestamp'] },
                          reason: { type: 'string' },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          '400': errorResponse(
            'Invalid JSON, encoding or events; details lists { index, field, reason } per problem',
          ),
          '200': {
            description: 'An OTLP protobuf export was committed (see POST /v1/otlp/logs)',
          },
          '413': errorResponse('Body larger than the limit, or more than 1000 events'),
          '415': errorResponse(
            'Content-Type is not application/json, application/x-ndjson or application/x-protobuf, or Content-Encoding is not gzip',
          ),
          '429': errorResponse('The server is shedding load; retry after Retry-After seconds'),
          '503': errorResponse('The database is unavailable'),
        },
      },
      get: {
        summary: 'Query events, newest first',
        parameters: [
          ...filterParams,
          timeParam('since', 'inclusive lower bound of the event timestamp'),
          timeParam('until', 'exclusive upper bound of the event timestamp'),
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
          {
            name: 'cursor',
            in: 'query',
            description: 'nextCursor of the previous page',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': {
            description: 'One page',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['events', 'nextCursor'],
                  properties: {
                    events: { type: 'array', items: { $ref: '#/components/schemas/StoredEvent' } },
                    nextCursor: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          '400': errorResponse('Invalid parameter'),
          '429': errorResponse('The server is shedding load'),
          '503': errorResponse('The database is unavailable'),
        },
      },
    },
    '/v1/otlp/logs': {
      post: {
        summary: 'Ingest an OpenTelemetry (OTLP/HTTP) logs export, protobuf or JSON',
        description:
          'service.name of the resource names the service (unknown_service without one); severityNumber maps to the level by bands of four (1-4 trace ... 21-24 fatal; without one, severityText); a string body is the message, any other body its JSON text; attributes, resource attributes and the scope are kept, trace and span ids stored as lowercase hex. Every storable record is stored in one statement and 200 is sent only after commit. A record beyond a limit (body over 16384 characters, attributes over 8 KiB or 128 keys or 8 levels, NUL characters, malformed ids, a time outside the ingest window) is rejected alone and counted in partialSuccess.',
        requestBody: {
          required: true,
          content: {
            'application/x-protobuf': otlpProtobuf,
            'application/json': {
              schema: {
                type: 'object',
                description:
                  'the OTLP/JSON encoding of ExportLogsServiceRequest (lowerCamelCase keys, hex trace and span ids)',
                properties: { resourceLogs: { type: 'array', items: { type: 'object' } } },
              },
            },
          },
        },
        responses: otlpResponses,
      },
    },
    '/v1/services': {
      get: {
        summary: 'The names of the services that have stored events (at most 1000)',
        responses: {
          '200': {
            description: 'Names in order',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['services'],
                  properties: { services: { type: 'array', items: { type: 'string' } } },
                },
              },
            },
          },
          '503': errorResponse('The database is unavailable'),
        },
      },
    },
    '/v1/logs/stats': {
      get: {
        summary: 'Event counts per time bucket and level',
        parameters: [
          timeParam('since', 'start of the range (default: until minus 24 hours)'),
          timeParam('until', 'end of the range, exclusive (default: now)'),
          {
            name: 'bucket',
            in: 'query',
            schema: { type: 'string', enum: ['1m', '1h', '1d'], default: '1h' },
          },
          ...filterParams,
        ],
        responses: {
          '200': {
            description: 'Buckets from the one holding since up to until, empty ones included',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    since: { type: 'string' },
                    until: { type: 'string' },
                    bucket: { type: 'string' },
                    levels: { type: 'array', items: { type: 'string' } },
                    buckets: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          start: { type: 'string', format: 'date-time' },
                          total: { type: 'integer' },
                          counts: { type: 'object', additionalProperties: { type: 'integer' } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          '400': errorResponse('Invalid parameter or too many buckets'),
          '503': errorResponse('The database is unavailable'),
        },
      },
    },
    '/healthz': {
      get: { summary: 'Liveness', responses: { '200': { description: 'The process is running' } } },
    },
    '/readyz': {
      get: {
        summary: 'Readiness: database reachable and migrations applied',
        responses: { '200': { description: 'Ready' }, '503': errorResponse('Not ready') },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        responses: { '200': { description: 'text/plain exposition format' } },
      },
    },
    '/openapi.json': {
      get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } },
    },
  },
  components: {
    schemas: {
      LogEvent: eventSchema,
      StoredEvent: {
        type: 'object',
        required: [
          'id',
          'clientId',
          'timestamp',
          'service',
          'level',
          'message',
          'attributes',
          'traceId',
          'spanId',
          'resource',
          'scope',
        ],
        properties: {
          id: { type: 'string', description: 'server-assigned, increasing' },
          clientId: { type: ['string', 'null'] },
          timestamp: { type: 'string', format: 'date-time' },
          service: { type: 'string' },
          level: { type: 'string', enum: [...levels] },
          message: { type: 'string' },
          attributes: { type: ['object', 'null'] },
          traceId: { type: ['string', 'null'], description: '32 lowercase hex digits' },
          spanId: { type: ['string', 'null'], description: '16 lowercase hex digits' },
          resource: {
            type: ['object', 'null'],
            description: 'the OTLP resource attributes (null for native events)',
          },
          scope: {
            type: ['object', 'null'],
            description: 'the OTLP instrumentation scope: name, version, attributes',
          },
        },
      },
      ExportLogsServiceResponse: {
        type: 'object',
        properties: {
          partialSuccess: {
            type: 'object',
            properties: {
              rejectedLogRecords: { type: 'string', description: 'int64, as a decimal string' },
              errorMessage: { type: 'string' },
            },
          },
        },
      },
      Status: {
        type: 'object',
        description: 'google.rpc.Status',
        properties: { code: { type: 'integer' }, message: { type: 'string' } },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message', 'details'],
            properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
          },
        },
      },
    },
  },
};
