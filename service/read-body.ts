/**
 * Reads and decodes the body of POST /v1/logs without body-parser, so every failure has its own
 * status: 415 for a content type other than JSON or NDJSON in UTF-8 or an encoding other than
 * gzip or deflate, 413 past the byte limit (checked on Content-Length before reading, while
 * reading, and again while inflating: a small bomb stops at the limit), 400 for bytes that are not
 * what their encoding says, not UTF-8 or not JSON.
 */
import { isUtf8 } from 'node:buffer';
import { promisify } from 'node:util';
import { gunzip, inflate, inflateRaw } from 'node:zlib';
import type { Request } from 'express';
import { HttpError } from './errors.ts';

const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);

const inflaters = {
  gzip: promisify(gunzip),
  // HTTP's deflate is the zlib format; some clients send the raw stream, told by its header
  deflate: (bytes: Buffer, options: { maxOutputLength: number }) =>
    isZlibHeader(bytes) ? inflateAsync(bytes, options) : inflateRawAsync(bytes, options),
};

/** isZlibHeader tells the two-byte zlib header (method 8, checksum a multiple of 31). */
function isZlibHeader(bytes: Buffer): boolean {
  return bytes.length >= 2 && (bytes[0]! & 0x0f) === 8 && (bytes[0]! * 256 + bytes[1]!) % 31 === 0;
}

const encodings: Record<string, keyof typeof inflaters | 'identity'> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
  identity: 'identity',
};

/** maxBatchEvents is the largest batch accepted in one request. */
export const maxBatchEvents = 1000;

/** mediaType is the request's Content-Type in lower case, split from its charset. */
export function mediaType(req: Request): { type: string; charset?: string } {
  const header = req.headers['content-type'];
  if (!header) {
    throw new HttpError(415, 'unsupported_media_type', 'Content-Type is required', {
      details: { accepted: ['application/json', 'application/x-ndjson'] },
    });
  }
  const [type = '', ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters
    .find((part) => part.startsWith('charset='))
    ?.slice(8)
    .replaceAll('"', '');
  return charset ? { type, charset } : { type };
}

const tooLarge = (limit: number) =>
  new HttpError(413, 'payload_too_large', `the request body exceeds ${limit} bytes`, {
    details: { limitBytes: limit },
  });

/**
 * readBody reads the body, inflated when Content-Encoding says gzip or deflate; limit bounds
 * the bytes received and the bytes they inflate to.
 */
export async function readBody(req: Request, limit: number): Promise<Buffer> {
  const given = req.headers['content-encoding']?.trim().toLowerCase();
  const encoding = given ? encodings[given] : 'identity';
  if (!encoding) {
    req.resume();
    throw new HttpError(415, 'unsupported_encoding', `cannot accept Content-Encoding ${given}`, {
      details: { accepted: ['gzip', 'deflate', 'identity'] },
    });
  }
  const bytes = await readBytes(req, limit);
  if (encoding === 'identity') return bytes;
  try {
    return await inflaters[encoding](bytes, { maxOutputLength: limit });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw new HttpError(400, `invalid_${encoding}`, `the request body is not valid ${encoding}`, {
      details: { reason: (err as Error).message },
    });
  }
}

async function readBytes(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  // plain stream events: the async iterator costs a promise and a queue per chunk
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'invalid_json', `${where} is not valid JSON`, {
      details: { reason: (err as Error).message },
    });
  }
}

function tooManyEvents(count: number): HttpError {
  return new HttpError(413, 'batch_too_large', `a batch holds at most ${maxBatchEvents} events`, {
    details: { events: count, maxEvents: maxBatchEvents },
  });
}

/** readEvents returns the submitted events as parsed JSON values (not yet validated). */
export async function readEvents(req: Request, limitBytes: number): Promise<unknown[]> {
  const { type, charset } = mediaType(req);
  const isJson = type === 'application/json';
  const isNdjson = type === 'application/x-ndjson';
  if ((!isJson && !isNdjson) || (charset && charset !== 'utf-8' && charset !== 'utf8')) {
    req.resume();
    throw new HttpError(
      415,
      'unsupported_media_type',
      `cannot accept ${req.headers['content-type']}`,
      {
        details: { accepted: ['application/json', 'application/x-ndjson'], charset: 'utf-8' },
      },
    );
  }
  const bytes = await readBody(req, limitBytes);
  if (!isUtf8(bytes)) {
    throw new HttpError(400, 'invalid_encoding', 'the request body is not valid UTF-8');
  }
  // a leading byte order mark is dropped, as a fatal TextDecoder did before
  const text = bytes.toString(
    'utf8',
    bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0,
  );
  if (text.trim() === '') throw new HttpError(400, 'empty_body', 'the request body is empty');
  if (isNdjson) {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    if (lines.length > maxBatchEvents) throw tooManyEvents(lines.length);
    return lines.map((line, index) => parseJson(line, `line ${index + 1}`));
  }
  const parsed = parseJson(text, 'the request body');
  if (!Array.isArray(parsed)) return [parsed];
  if (parsed.length === 0) throw new HttpError(400, 'empty_batch', 'the batch holds no events');
  if (parsed.length > maxBatchEvents) throw tooManyEvents(parsed.length);
  return parsed;
}
