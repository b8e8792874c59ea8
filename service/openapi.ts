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

/** openApiDocument is the API description. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Log service',
    version: '1.0.0',
    description:
      'Ingests structured log events into PostgreSQL and serves filtered, paginated queries and time-bucketed counts.',
  },
  paths: {
    '/v1/logs': {
      post: {
        summary: 'Ingest one event or a batch of up to 1000',
        description:
          'All events are validated first; a batch with any invalid event is rejected whole. 202 is returned once the events are committed. Events carrying an id that was already stored are skipped, so retries are safe.',
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
                  },
                },
              },
            },
          },
          '400': errorResponse(
            'Invalid JSON, encoding or events; details lists { index, field, reason } per problem',
          ),
          '413': errorResponse('Body larger than the limit, or more than 1000 events'),
          '415': errorResponse(
            'Content-Type is not application/json or application/x-ndjson in UTF-8',
          ),
          '429': errorResponse('The server is shedding load; retry after Retry-After seconds'),
          '503': errorResponse('The database is unavailable'),
        },
      },
      get: {
        summary: 'Query events, newest first',
        parameters: [
          { name: 'service', in: 'query', schema: { type: 'string' } },
          {
            name: 'level',
            in: 'query',
            description: 'minimum level',
            schema: { type: 'string', enum: [...levels] },
          },
          timeParam('since', 'inclusive lower bound of the event timestamp'),
          timeParam('until', 'exclusive upper bound of the event timestamp'),
          {
            name: 'q',
            in: 'query',
            description:
              'full-text search over the message (web search syntax: words, "phrases", -not, or)',
            schema: { type: 'string', maxLength: 256 },
          },
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
          { name: 'service', in: 'query', schema: { type: 'string' } },
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
        required: ['id', 'clientId', 'timestamp', 'service', 'level', 'message', 'attributes'],
        properties: {
          id: { type: 'string', description: 'server-assigned, increasing' },
          clientId: { type: ['string', 'null'] },
          timestamp: { type: 'string', format: 'date-time' },
          service: { type: 'string' },
          level: { type: 'string', enum: [...levels] },
          message: { type: 'string' },
          attributes: { type: ['object', 'null'] },
        },
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
