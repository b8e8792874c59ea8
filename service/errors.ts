/**
 * Typed HTTP errors and the one middleware that turns any thrown value into the JSON error body
 * `{ error: { code, message, details } }`. A fault of the server is a 500 or, when the database
 * cannot be reached, a 503; it is never reported as a client error and never shows a stack.
 */
import type { IncomingMessage } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { requestIdOf } from './request-id.ts';

/** HttpError is an error with the status and machine-readable code the client receives. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    code: string,
    message: string,
    options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = options.details ?? null;
    this.headers = options.headers ?? {};
  }
}

/** unavailableSqlStates are SQLSTATEs meaning unreachable, overloaded or timed out: a 503. */
const unavailableSqlStates = ['08', '53', '57014', '57P01', '57P02', '57P03'];
const unavailableSocketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
const unavailableMessages = [
  'Timeout acquiring a connection',
  'Connection terminated',
  'connection timeout',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
];

/** isDatabaseUnavailable tells a lost or refused database connection from other failures. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let current: unknown = err, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') break;
    const { code, message, cause } = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string') {
      if (unavailableSocketCodes.has(code)) return true;
      if (
        /^[0-9A-Z]{5}$/.test(code) &&
        unavailableSqlStates.some((state) => code.startsWith(state))
      ) {
        return true;
      }
    }
    if (typeof message === 'string' && unavailableMessages.some((text) => message.includes(text))) {
      return true;
    }
    current = cause;
  }
  return false;
}

/** notFoundHandler answers every unrouted request with a JSON 404. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

/** methodNotAllowed answers a known path asked with a method it does not take. */
export function methodNotAllowed(methods: string[]): RequestHandler {
  const allow = methods.join(', ');
  return (req, res, next) => {
    if (req.method === 'OPTIONS') {
      res.set('Allow', allow).status(204).end();
      return;
    }
    next(
      new HttpError(405, 'method_not_allowed', `${req.path} does not take ${req.method}`, {
        details: { allowed: methods },
        headers: { Allow: allow },
      }),
    );
  };
}

/**
 * toHttpError classifies any thrown value: an HttpError as it is, a lost database as 503, and
 * anything else as a 500 that is logged with its stack (the client never sees it).
 */
export function toHttpError(err: unknown, req: IncomingMessage, logger: Logger): HttpError {
  if (err instanceof HttpError) return err;
  if (isDatabaseUnavailable(err)) {
    logger.warn({ reqId: requestIdOf(req), err }, 'database unavailable');
    return new HttpError(503, 'database_unavailable', 'the database cannot be reached', {
      headers: { 'Retry-After': '5' },
    });
  }
  logger.error({ reqId: requestIdOf(req), err }, 'unhandled error');
  return new HttpError(500, 'internal_error', 'the server failed to handle the request');
}

/** errorHandler maps thrown errors to statuses and logs the ones that are the server's fault. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const httpError = toHttpError(err, req, logger);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(httpError.status);
    res.set(httpError.headers);
    res.json({
      error: { code: httpError.code, message: httpError.message, details: httpError.details },
    });
  };
}
