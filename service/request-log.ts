/**
 * Request telemetry in one middleware and one listener per request (which also asks clients
 * to close their connections during shutdown): the request id (request-id.ts: from a
 * sane `X-Request-Id`, else a random UUID, echoed back), one JSON log line when the response
 * is done (reqId, method, route, status, durationMs) and the Prometheus request count and
 * latency by method, route and status. Written against pino directly rather than pino-http,
 * which made two child loggers and ran the serializers for every request.
 */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { type Metrics, routeOf } from './metrics.ts';
import { assignRequestId } from './request-id.ts';

/** clientClosedStatus marks a request whose client went away before the response was sent. */
export const clientClosedStatus = 499;

/** requestLog builds the middleware; it goes first so every request is logged and counted. */
export function requestLog(deps: {
  logger: Logger;
  metrics: Metrics;
  /** isShuttingDown asks clients to close their connections once shutdown has begun. */
  isShuttingDown: () => boolean;
}): RequestHandler {
  const { logger, metrics, isShuttingDown } = deps;
  return (req, res, next) => {
    const started = performance.now();
    const id = assignRequestId(req);
    res.setHeader('X-Request-Id', id);
    if (isShuttingDown()) res.setHeader('Connection', 'close');
    // 'close' follows 'finish' on every response and also comes alone when the client leaves
    res.once('close', () => {
      const elapsed = performance.now() - started;
      const status = res.writableFinished ? res.statusCode : clientClosedStatus;
      const route = routeOf(req);
      metrics.observeRequest(req.method, route, status, elapsed / 1000);
      const line = {
        reqId: id,
        method: req.method,
        route,
        status,
        durationMs: Math.round(elapsed * 1000) / 1000,
      };
      if (status >= 500) logger.error(line, 'request failed');
      else if (status === clientClosedStatus) logger.warn(line, 'request aborted');
      else if (status >= 400) logger.warn(line, 'request completed');
      else logger.info(line, 'request completed');
    });
    next();
  };
}
