/**
 * OTLP log records to the service's events. One mapping reads both encodings: protobufjs
 * messages (fields on the prototype when unset, 64-bit integers as Long, bytes as Buffer) and
 * OTLP/JSON (lowerCamelCase keys, 64-bit integers as strings or numbers, trace and span ids as
 * hex, bytes as base64). A record that cannot be stored is rejected alone and counted for the
 * partial-success answer; only a body whose structure is not an export request fails whole.
 */
import { createHash } from 'node:crypto';
import { levels } from '../entities/log-event.ts';
import { HttpError } from '../errors.ts';
import { type IngestWindow, type OutsideWindow, outsideWindow } from '../ingest-window.ts';
import {
  type EventSource,
  hasForbiddenEscape,
  maxAttributesBytes,
  maxAttributesDepth,
  type NewEvent,
} from '../validate-events.ts';

/** OtlpEncoding is how the request body was encoded. */
export type OtlpEncoding = 'protobuf' | 'json';

/** maxOtlpRecords is the largest number of log records accepted in one export. */
export const maxOtlpRecords = 10_000;
/** maxOtlpAttributes bounds the attributes of one record (the SDKs' default limit is 128). */
export const maxOtlpAttributes = 128;
/** maxMessageLength matches the native API's message limit. */
export const maxMessageLength = 16_384;
/** unknownService names events whose resource has no string `service.name`. */
export const unknownService = 'unknown_service';

/** OtlpEvents is the outcome of mapping one export request. */
export interface OtlpEvents {
  events: NewEvent[];
  /** sources are the distinct resource and scope pairs the events name. */
  sources: EventSource[];
  rejected: number;
  /** problems are the first reasons for rejections, each naming the record. */
  problems: string[];
  /** outsideWindow counts the rejected records whose time is outside the ingest window. */
  outsideWindow: Record<OutsideWindow['bound'], number>;
}

type Fields = Record<string, unknown>;

interface Long {
  low: number;
  high: number;
  unsigned: boolean;
}

const maxProblems = 10;
const unpairedSurrogate = /\p{Cs}/u;

/** isWellFormed tells a string without unpaired surrogates (natively where Node has it). */
const isWellFormed: (text: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (text) => (text as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (text) => !unpairedSurrogate.test(text);
const hexId = /^[0-9a-fA-F]*$/;
const allZeros = /^0+$/;

class RecordProblem extends Error {
  /** bound is set when the record's time is what is wrong: outside the ingest window. */
  constructor(
    message: string,
    readonly bound?: OutsideWindow['bound'],
  ) {
    super(message);
  }
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLong(value: unknown): value is Long {
  return isFields(value) && typeof value.low === 'number' && typeof value.high === 'number';
}

function listOf(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new HttpError(400, 'invalid_otlp', `${where} must be an array`);
  }
  return value;
}

function has(value: Fields, key: string): boolean {
  return Object.hasOwn(value, key) && value[key] !== null && value[key] !== undefined;
}

/** unixNanosToMicros reads a fixed64 as whole microseconds (0 when unset). */
function unixNanosToMicros(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (isLong(value)) {
    // exact: 2^32 = 4294967 * 1000 + 296, so no step exceeds 2^53
    const high = value.high >>> 0;
    return high * 4_294_967 + Math.floor((high * 296 + (value.low >>> 0)) / 1000);
  }
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) {
    return value.length <= 3 ? 0 : Number(value.slice(0, -3));
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) {
    return Math.floor(value / 1000);
  }
  throw new RecordProblem(`${field} must be an unsigned 64-bit integer`);
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * microsToIso formats microseconds since the epoch as RFC 3339 UTC with six decimals. The
 * date and time up to the second is kept from the previous call: the records of one export
 * mostly share their second.
 */
export function microsToIso(micros: number): string {
  const second = Math.floor(micros / 1_000_000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
    cachedSecond = second;
  }
  return `${cachedPrefix}.${String(micros - second * 1_000_000).padStart(6, '0')}Z`;
}

/** idHex reads a trace or span id: null when empty or all zeros, lowercase hex otherwise. */
function idHex(value: unknown, bytes: number, field: string): string | null {
  let hex: string;
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    return null;
  }
  if (typeof value === 'string') {
    if (value.length !== 0 && (value.length !== bytes * 2 || !hexId.test(value))) {
      throw new RecordProblem(`${field} must be ${bytes * 2} hex digits`);
    }
    hex = value.toLowerCase();
  } else if (value instanceof Uint8Array) {
    if (value.length !== 0 && value.length !== bytes) {
      throw new RecordProblem(`${field} must be ${bytes} bytes`);
    }
    hex = (
      Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length)
    ).toString('hex');
  } else {
    throw new RecordProblem(`${field} must be ${bytes * 2} hex digits`);
  }
  return hex === '' || allZeros.test(hex) ? null : hex;
}

function int64Value(value: unknown): number | string {
  if (isLong(value)) {
    const high = value.unsigned ? value.high >>> 0 : value.high;
    const number = high * 4_294_967_296 + (value.low >>> 0);
    if (Number.isSafeInteger(number)) return number;
    return (BigInt(high) * 4_294_967_296n + BigInt(value.low >>> 0)).toString();
  }
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value;
  }
  throw new RecordProblem('intValue must be a 64-bit integer');
}

/**
 * anyValue turns an OTLP AnyValue into a JSON value: kvlists become objects, 64-bit integers
 * beyond 2^53 decimal strings, bytes base64, NaN and the infinities their JSON names. depth is
 * the nesting of the value if it is a container (an attributes object is depth 1).
 */
function anyValue(value: unknown, depth: number): unknown {
  if (!isFields(value)) return null;
  if (has(value, 'stringValue')) {
    if (typeof value.stringValue !== 'string') throw new RecordProblem('stringValue is not text');
    return value.stringValue;
  }
  if (has(value, 'boolValue')) return value.boolValue === true;
  if (has(value, 'intValue')) return int64Value(value.intValue);
  if (has(value, 'doubleValue')) {
    const double = value.doubleValue;
    if (typeof double === 'number') return Number.isFinite(double) ? double : String(double);
    if (double === 'NaN' || double === 'Infinity' || double === '-Infinity') return double;
    throw new RecordProblem('doubleValue must be a number');
  }
  if (has(value, 'arrayValue')) {
    tooDeep(depth);
    const array = value.arrayValue;
    const values = isFields(array) ? array.values : undefined;
    if (values !== undefined && values !== null && !Array.isArray(values)) {
      throw new RecordProblem('arrayValue.values must be an array');
    }
    return (values ?? []).map((item) => anyValue(item, depth + 1));
  }
  if (has(value, 'kvlistValue')) {
    const list = value.kvlistValue;
    return keyValues(isFields(list) ? list.values : undefined, depth, Infinity);
  }
  if (has(value, 'bytesValue')) {
    const bytes = value.bytesValue;
    if (typeof bytes === 'string') return bytes;
    if (bytes instanceof Uint8Array) {
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
    }
    throw new RecordProblem('bytesValue must be base64');
  }
  return null;
}

function tooDeep(depth: number): void {
  if (depth > maxAttributesDepth) {
    throw new RecordProblem(`attributes must not nest deeper than ${maxAttributesDepth} levels`);
  }
}

/**
 * keyValues turns a KeyValue list into an object at nesting depth (a repeated key keeps its
 * last value).
 */
function keyValues(list: unknown, depth: number, maxKeys: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  if (list === undefined || list === null) return object;
  if (!Array.isArray(list)) throw new RecordProblem('attributes must be an array');
  if (list.length > maxKeys) throw new RecordProblem(`attributes must be at most ${maxKeys} keys`);
  tooDeep(depth);
  for (const pair of list) {
    // an empty key is absent from protobuf (null or the prototype's default)
    const key = isFields(pair) ? (pair.key ?? '') : undefined;
    if (typeof key !== 'string') throw new RecordProblem('each attribute needs a string key');
    object[key] = anyValue((pair as Fields).value, depth + 1);
  }
  return object;
}

/** objectJson serializes attributes within the native API's limits, or null when empty. */
function objectJson(object: Record<string, unknown>, what: string): string | null {
  let empty = true;
  for (const _key in object) {
    empty = false;
    break;
  }
  if (empty) return null;
  const json = JSON.stringify(object);
  if (json.length > maxAttributesBytes / 3 && Buffer.byteLength(json) > maxAttributesBytes) {
    throw new RecordProblem(`${what} must not exceed ${maxAttributesBytes} bytes serialized`);
  }
  // JSON.stringify writes \u only for control characters and lone surrogates
  if (json.includes('\\u') && hasForbiddenEscape(json)) {
    throw new RecordProblem(`${what} must not contain NUL characters or unpaired surrogates`);
  }
  return json;
}

function checkText(text: string, what: string, maxLength: number): string {
  if (text.length > maxLength) {
    throw new RecordProblem(`${what} must be at most ${maxLength} characters`);
  }
  if (text.includes('\u0000') || !isWellFormed(text)) {
    throw new RecordProblem(`${what} must not contain NUL characters or unpaired surrogates`);
  }
  return text;
}

/** levelOf maps an OTLP severity number (1-24, four per level) or, without one, its text. */
export function levelOf(severityNumber: unknown, severityText: unknown): number {
  if (typeof severityNumber === 'number' && severityNumber >= 1) {
    return Math.min(5, Math.floor((severityNumber - 1) / 4));
  }
  if (typeof severityText === 'string' && severityText !== '') {
    const text = severityText.toLowerCase();
    const named = levels.indexOf(text as (typeof levels)[number]);
    if (named >= 0) return named;
    if (text === 'warning') return 3;
    if (text === 'critical' || text === 'emergency' || text === 'alert') return 5;
  }
  return 2;
}

interface ResourceContext {
  service: string;
  resource: string | null;
}

function resourceContext(resource: unknown): ResourceContext {
  const attributes = keyValues(
    isFields(resource) ? resource.attributes : undefined,
    1,
    maxOtlpAttributes,
  );
  const name = attributes['service.name'];
  const service =
    typeof name === 'string' && name !== '' ? checkText(name, 'service.name', 128) : unknownService;
  return { service, resource: objectJson(attributes, 'resource attributes') };
}

function scopeJson(scope: unknown): string | null {
  if (!isFields(scope)) return null;
  const described: Record<string, unknown> = {};
  if (typeof scope.name === 'string' && scope.name !== '') described.name = scope.name;
  if (typeof scope.version === 'string' && scope.version !== '') described.version = scope.version;
  const attributes = keyValues(scope.attributes, 1, maxOtlpAttributes);
  for (const _key in attributes) {
    described.attributes = attributes;
    break;
  }
  return objectJson(described, 'scope');
}

function messageOf(record: Fields): string {
  const body = record.body;
  let message: string;
  if (isFields(body) && has(body, 'stringValue') && typeof body.stringValue === 'string') {
    message = body.stringValue;
  } else {
    const value = anyValue(body, 1);
    message =
      value === null
        ? typeof record.eventName === 'string'
          ? record.eventName
          : ''
        : JSON.stringify(value);
  }
  return checkText(message, 'body', maxMessageLength);
}

/**
 * sourceIdOf derives a source's id from its content: the first 16 bytes of a SHA-256 of the
 * resource and scope JSON, written as a UUID.
 */
export function sourceIdOf(resource: string | null, scope: string | null): string | null {
  if (resource === null && scope === null) return null;
  const hex = createHash('sha256')
    .update(`${resource ?? ''}\n${scope ?? ''}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Received is when the export arrived and the window its records' times must fall in. */
export interface Received {
  at: string;
  window?: IngestWindow;
}

function toEvent(
  record: Fields,
  context: ResourceContext,
  sourceId: string | null,
  received: Received & { atMs: number },
): NewEvent {
  const micros =
    unixNanosToMicros(record.timeUnixNano, 'timeUnixNano') ||
    unixNanosToMicros(record.observedTimeUnixNano, 'observedTimeUnixNano');
  const timestamp = micros > 0 ? microsToIso(micros) : received.at;
  const refused =
    micros > 0 && received.window
      ? outsideWindow(Math.floor(micros / 1000), received.atMs, received.window)
      : undefined;
  if (refused) throw new RecordProblem(`time ${timestamp} ${refused.reason}`, refused.bound);
  return {
    clientId: null,
    timestamp,
    service: context.service,
    level: levelOf(record.severityNumber, record.severityText),
    message: messageOf(record),
    attributes: objectJson(keyValues(record.attributes, 1, maxOtlpAttributes), 'attributes'),
    traceId: idHex(record.traceId, 16, 'traceId'),
    spanId: idHex(record.spanId, 8, 'spanId'),
    sourceId,
  };
}

/**
 * otlpToEvents maps an export request (decoded protobuf or parsed JSON) to events; the time it
 * was received stands in for a record without either timestamp, and a record whose time is
 * outside the received window is rejected alone (counted in `outsideWindow` too).
 */
export function otlpToEvents(request: unknown, received: string | Received): OtlpEvents {
  const given = typeof received === 'string' ? { at: received } : received;
  const receipt = { ...given, atMs: Date.parse(given.at) };
  if (!isFields(request)) {
    throw new HttpError(400, 'invalid_otlp', 'the body is not an ExportLogsServiceRequest');
  }
  const outcome: OtlpEvents = {
    events: [],
    sources: [],
    rejected: 0,
    problems: [],
    outsideWindow: { too_old: 0, too_new: 0 },
  };
  const sourceIds = new Map<string, string | null>();
  const sourceOf = (resource: string | null, scope: string | null): string | null => {
    const key = `${resource}\n${scope}`;
    let id = sourceIds.get(key);
    if (id === undefined) {
      id = sourceIdOf(resource, scope);
      sourceIds.set(key, id);
      if (id !== null) outcome.sources.push({ id, resource, scope });
    }
    return id;
  };
  const reject = (where: string, count: number, err: unknown) => {
    if (!(err instanceof RecordProblem)) throw err;
    outcome.rejected += count;
    if (err.bound) outcome.outsideWindow[err.bound] += count;
    if (outcome.problems.length < maxProblems) outcome.problems.push(`${where}: ${err.message}`);
  };
  let records = 0;
  const resourceLogs = listOf(request.resourceLogs, 'resourceLogs');
  for (const [r, resourceLog] of resourceLogs.entries()) {
    if (!isFields(resourceLog))
      throw new HttpError(400, 'invalid_otlp', `resourceLogs[${r}] is not an object`);
    const scopeLogs = listOf(resourceLog.scopeLogs, `resourceLogs[${r}].scopeLogs`);
    let context: ResourceContext | undefined;
    let resourceProblem: unknown;
    try {
      context = resourceContext(resourceLog.resource);
    } catch (err) {
      resourceProblem = err;
    }
    for (const [s, scopeLog] of scopeLogs.entries()) {
      const where = `resourceLogs[${r}].scopeLogs[${s}]`;
      if (!isFields(scopeLog))
        throw new HttpError(400, 'invalid_otlp', `${where} is not an object`);
      const logRecords = listOf(scopeLog.logRecords, `${where}.logRecords`);
      records += logRecords.length;
      if (records > maxOtlpRecords) {
        throw new HttpError(
          413,
          'batch_too_large',
          `an export holds at most ${maxOtlpRecords} log records`,
          {
            details: { maxLogRecords: maxOtlpRecords },
          },
        );
      }
      if (!context) {
        reject(`resourceLogs[${r}].resource`, logRecords.length, resourceProblem);
        continue;
      }
      let sourceId: string | null;
      try {
        sourceId = sourceOf(context.resource, scopeJson(scopeLog.scope));
      } catch (err) {
        reject(`${where}.scope`, logRecords.length, err);
        continue;
      }
      for (const [l, record] of logRecords.entries()) {
        try {
          if (!isFields(record)) throw new RecordProblem('is not an object');
          outcome.events.push(toEvent(record, context, sourceId, receipt));
        } catch (err) {
          reject(`${where}.logRecords[${l}]`, 1, err);
        }
      }
    }
  }
  return outcome;
}
