/**
 * The request id: the client's X-Request-Id when it is sane, else a random UUID, kept on the
 * request so that the log line, the response header and the error handler's log all carry the
 * same one. It imports nothing of the service: request-log.ts assigns it, errors.ts reads it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const requestIdPattern = /^[A-Za-z0-9._-]{1,128}$/;

/** assignRequestId gives req its id (a sane X-Request-Id, else a random UUID) and returns it. */
export function assignRequestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
  (req as { id?: string }).id = id;
  return id;
}

/** requestIdOf is the id assignRequestId gave a request (undefined before it ran). */
export function requestIdOf(req: IncomingMessage): string | undefined {
  return (req as { id?: string }).id;
}
