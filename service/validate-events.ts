/**
 * Validation of submitted log events against schemas/log-event.schema.json (ajv), plus the
 * limits a JSON Schema cannot say: attributes size and depth, no NUL or unpaired surrogate
 * anywhere (PostgreSQL text and jsonb reject them), and a timestamp PostgreSQL can store.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { type Level, levelNumber } from './entities/log-event.ts';

/** EventProblem says what is wrong with one event of a request. */
export interface EventProblem {
  index: number;
  field: string;
  reason: string;
}

/** NewEvent is a valid event ready to insert; a null timestamp means "receipt time". */
export interface NewEvent {
  clientId: string | null;
  timestamp: string;
  service: string;
  level: number;
  message: string;
  /** attributes is the JSON text of the attributes object, or null. */
  attributes: string | null;
}

/** maxAttributesBytes bounds the serialized attributes of one event. */
export const maxAttributesBytes = 8192;
/** maxAttributesDepth bounds nesting inside attributes (the object itself is depth 1). */
export const maxAttributesDepth = 8;

const schemaPath = new URL('../schemas/log-event.schema.json', import.meta.url);
/** logEventSchema is the JSON Schema of one event, also embedded in the OpenAPI document. */
export const logEventSchema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<
  string,
  unknown
>;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: true }));
const validateSchema = ajv.compile(logEventSchema);

const unpairedSurrogate = /\p{Cs}/u;

function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const extra = params.missingProperty ?? params.additionalProperty;
  if (extra) return path ? `${path}.${extra}` : extra;
  return path || '(event)';
}

function reasonOf(error: ErrorObject): string {
  const params = error.params as { additionalProperty?: string; allowedValues?: unknown[] };
  if (error.keyword === 'additionalProperties') return 'is not a known field';
  if (error.keyword === 'enum') return `must be one of ${params.allowedValues?.join(', ')}`;
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'pattern' && error.instancePath === '/message') {
    return 'must not contain NUL characters';
  }
  return error.message ?? error.keyword;
}

/** checkStrings walks a value without recursion (deep input cannot overflow the stack). */
function checkAttributes(attributes: Record<string, unknown>): string | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: attributes, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return 'must not contain NUL characters';
      if (unpairedSurrogate.test(value)) return 'must not contain unpaired UTF-16 surrogates';
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxAttributesDepth) return `must not nest deeper than ${maxAttributesDepth} levels`;
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000') || unpairedSurrogate.test(key)) {
        return 'keys must not contain NUL characters or unpaired surrogates';
      }
      stack.push({ value: item, depth: depth + 1 });
    }
  }
  return undefined;
}

function checkEvent(
  event: Record<string, unknown>,
  index: number,
  receivedAt: string,
  problems: EventProblem[],
): NewEvent | undefined {
  const before = problems.length;
  for (const field of ['service', 'message', 'id'] as const) {
    const value = event[field];
    if (typeof value === 'string' && unpairedSurrogate.test(value)) {
      problems.push({ index, field, reason: 'must not contain unpaired UTF-16 surrogates' });
    }
  }
  let timestamp = receivedAt;
  if (typeof event.timestamp === 'string') {
    const millis = Date.parse(event.timestamp);
    const year = Number(event.timestamp.slice(0, 4));
    if (Number.isNaN(millis) || year < 1) {
      problems.push({ index, field: 'timestamp', reason: 'must be a valid RFC 3339 date-time' });
    } else {
      timestamp = event.timestamp;
    }
  }
  let attributes: string | null = null;
  if (event.attributes !== undefined) {
    const reason = checkAttributes(event.attributes as Record<string, unknown>);
    if (reason) {
      problems.push({ index, field: 'attributes', reason });
    } else {
      attributes = JSON.stringify(event.attributes);
      if (Buffer.byteLength(attributes) > maxAttributesBytes) {
        problems.push({
          index,
          field: 'attributes',
          reason: `must not exceed ${maxAttributesBytes} bytes serialized`,
        });
      }
    }
  }
  if (problems.length > before) return undefined;
  return {
    clientId: typeof event.id === 'string' ? event.id : null,
    timestamp,
    service: event.service as string,
    level: levelNumber(event.level as Level),
    message: event.message as string,
    attributes,
  };
}

/**
 * validateEvents checks every event and returns either all of them normalized or every problem
 * found (a batch is accepted or rejected whole). receivedAt fills missing timestamps.
 */
export function validateEvents(
  values: unknown[],
  receivedAt: string,
): { events: NewEvent[]; problems: EventProblem[] } {
  const problems: EventProblem[] = [];
  const events: NewEvent[] = [];
  values.forEach((value, index) => {
    if (!validateSchema(value)) {
      for (const error of validateSchema.errors ?? []) {
        problems.push({ index, field: fieldOf(error), reason: reasonOf(error) });
      }
      return;
    }
    const event = checkEvent(value as Record<string, unknown>, index, receivedAt, problems);
    if (event) events.push(event);
  });
  return { events: problems.length > 0 ? [] : events, problems };
}
