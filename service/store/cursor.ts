/**
 * The opaque page cursor: the (timestamp, id) of the last event of a page, base64url-encoded.
 * The timestamp keeps PostgreSQL's microseconds as text so no event is skipped by rounding.
 */
import { HttpError } from '../errors.ts';
import { checkTimestamp } from '../timestamp.ts';

/** PagePosition is the key of the last event returned. */
export interface PagePosition {
  timestamp: string;
  id: string;
}

const maxBigint = 2n ** 63n - 1n;
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** encodeCursor turns a position into the opaque string clients pass back. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.timestamp, position.id])).toString('base64url');
}

/** decodeCursor parses a cursor or throws a 400 HttpError for anything not made by encodeCursor. */
export function decodeCursor(cursor: string): PagePosition {
  const invalid = () => new HttpError(400, 'invalid_cursor', 'cursor is not a valid page cursor');
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalid();
  const [timestamp, id] = decoded as unknown[];
  if (typeof timestamp !== 'string' || !timestampPattern.test(timestamp)) throw invalid();
  if ('reason' in checkTimestamp(timestamp)) throw invalid();
  // ids are bigint: a larger one would fail in SQL
  if (typeof id !== 'string' || !/^\d{1,19}$/.test(id) || BigInt(id) > maxBigint) throw invalid();
  return { timestamp, id };
}
