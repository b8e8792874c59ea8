/**
 * Validation of submitted log events against schemas/log-event.schema.json (ajv), plus the
 * limits a JSON Schema cannot say: attributes size and depth, no NUL or unpaired surrogate
 * anywhere (PostgreSQL text and jsonb reject them), and a timestamp PostgreSQL can store and
 * return unchanged (timestamp.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { type Level, levelNumber } from './entities/log-event.ts';
import { type IngestWindow, type OutsideWindow, outsideWindow } from './ingest-window.ts';
import { checkTimestamp } from './timestamp.ts';

/** RefusedEvent is a valid event refused for its time: its index in the batch, and why. */
export type RefusedEvent = OutsideWindow & { index: number };

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
  /** traceId and spanId are lowercase hex (32 and 16 digits), or null. */
  traceId: string | null;
  spanId: string | null;
  /** sourceId is the id of the event's EventSource (OTLP resource and scope), or null. */
  sourceId: string | null;
}

/** EventSource is an OTLP resource and scope, stored once for all the events naming its id. */
export interface EventSource {
  /** id is a UUID derived from the content, so equal sources share one row. */
  id: string;
  /** resource is the JSON text of the resource attributes, or null. */
  resource: string | null;
  /** scope is the JSON text of the instrumentation scope (name, version, attributes), or null. */
  scope: string | null;
}

/** maxAttributesBytes bounds the serialized attributes of one event. */
export const maxAttributesBytes = 8192;
/** maxAttributesDepth bounds nesting inside attributes (the object itself is depth 1). */
export const maxAttributesDepth = 8;

// ../schemas from service/ (tsx), ../../schemas from dist/service/ (compiled)
const schemaPath = ['../schemas/', '../../schemas/']
  .map((dir) => new URL(`${dir}log-event.schema.json`, import.meta.url))
  .find((url) => existsSync(url))!;
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

/**
 * escapedForbidden finds what JSON.stringify escapes when it meets a NUL or an unpaired
 * surrogate (`\u0000`, `\ud800`...), skipping escaped backslashes so user text such as a
 * literal backslash-u is not mistaken for one.
 */
const escapedForbidden = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/i;

/** hasForbiddenEscape tells whether JSON text holds an escaped NUL or unpaired surrogate. */
export function hasForbiddenEscape(json: string): boolean {
  return escapedForbidden.test(json);
}

/** depthExceeds walks a value without recursion (deep input cannot overflow the stack). */
function depthExceeds(root: unknown, maxDepth: number): boolean {
  const values: unknown[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxDepth) return true;
    for (const item of Array.isArray(value) ? value : Object.values(value)) {
      values.push(item);
      depths.push(depth + 1);
    }
  }
  return false;
}

/** containerCount counts `{` and `[` in text, stopping at limit. */
function containerCount(text: string, limit: number): number {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (
      let at = text.indexOf(bracket);
      at >= 0 && count < limit;
      at = text.indexOf(bracket, at + 1)
    ) {
      count++;
    }
  }
  return count;
}

/**
 * serializeAttributes returns the JSON text of attributes or the reason it is refused. The
 * cheap checks run on the serialized text; the exact depth walk only runs when the text has
 * enough brackets to be too deep.
 */
function serializeAttributes(attributes: Record<string, unknown>): {
  json?: string;
  reason?: string;
} {
  let json: string;
  try {
    json = JSON.stringify(attributes);
  } catch {
    return { reason: `must not nest deeper than ${maxAttributesDepth} levels` };
  }
  if (
    json.length > maxAttributesBytes ||
    (json.length * 3 > maxAttributesBytes && Buffer.byteLength(json) > maxAttributesBytes)
  ) {
    if (Buffer.byteLength(json) > maxAttributesBytes) {
      return { reason: `must not exceed ${maxAttributesBytes} bytes serialized` };
    }
  }
  if (hasForbiddenEscape(json)) {
    return { reason: 'must not contain NUL characters or unpaired UTF-16 surrogates' };
  }
  if (
    containerCount(json, maxAttributesDepth + 1) > maxAttributesDepth &&
    depthExceeds(attributes, maxAttributesDepth)
  ) {
    return { reason: `must not nest deeper than ${maxAttributesDepth} levels` };
  }
  return { json };
}

function checkEvent(
  event: Record<string, unknown>,
  index: number,
  receivedAt: { iso: string; ms: number },
  problems: EventProblem[],
): { event: NewEvent; instant: number } | undefined {
  const before = problems.length;
  for (const field of ['service', 'message', 'id'] as const) {
    const value = event[field];
    if (typeof value === 'string' && unpairedSurrogate.test(value)) {
      problems.push({ index, field, reason: 'must not contain unpaired UTF-16 surrogates' });
    }
  }
  let timestamp = receivedAt.iso;
  let instant = receivedAt.ms;
  if (typeof event.timestamp === 'string') {
    const checked = checkTimestamp(event.timestamp);
    if ('reason' in checked) problems.push({ index, field: 'timestamp', reason: checked.reason });
    else [timestamp, instant] = [event.timestamp, checked.millis];
  }
  let attributes: string | null = null;
  if (event.attributes !== undefined) {
    const { json, reason } = serializeAttributes(event.attributes as Record<string, unknown>);
    if (reason) problems.push({ index, field: 'attributes', reason });
    else attributes = json ?? null;
  }
  if (problems.length > before) return undefined;
  const normalized: NewEvent = {
    clientId: typeof event.id === 'string' ? event.id : null,
    timestamp,
    service: event.service as string,
    level: levelNumber(event.level as Level),
    message: event.message as string,
    attributes,
    traceId: typeof event.traceId === 'string' ? event.traceId.toLowerCase() : null,
    spanId: typeof event.spanId === 'string' ? event.spanId.toLowerCase() : null,
    sourceId: null,
  };
  return { event: normalized, instant };
}

/**
 * validateEvents checks every event and returns either all of them normalized or every problem
 * found (a batch is accepted or rejected whole). receivedAt fills missing timestamps. With a
 * window, a valid event whose time falls outside it is refused alone: listed in `outside`, not
 * in `events`.
 */
export function validateEvents(
  values: unknown[],
  receivedAt: string,
  window?: IngestWindow,
): { events: NewEvent[]; problems: EventProblem[]; outside: RefusedEvent[] } {
  const received = { iso: receivedAt, ms: Date.parse(receivedAt) };
  const problems: EventProblem[] = [];
  const events: NewEvent[] = [];
  const outside: RefusedEvent[] = [];
  values.forEach((value, index) => {
    if (!validateSchema(value)) {
      for (const error of validateSchema.errors ?? []) {
        problems.push({ index, field: fieldOf(error), reason: reasonOf(error) });
      }
      return;
    }
    const checked = checkEvent(value as Record<string, unknown>, index, received, problems);
    if (!checked) return;
    const refused = window && outsideWindow(checked.instant, received.ms, window);
    if (refused) outside.push({ index, ...refused });
    else events.push(checked.event);
  });
  return problems.length > 0
    ? { events: [], problems, outside: [] }
    : { events, problems, outside };
}
