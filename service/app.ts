/**
 * createApp wires the Express app from its dependencies without listening, so tests drive it
 * on an ephemeral port and main.ts owns the process concerns (listen, signals, shutdown).
 */
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Database } from './db.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { Limiter } from './limiter.ts';
import { createMetrics, type Metrics, routeOf } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { healthz, readyz } from './routes/health.ts';
import { ingestLogs } from './routes/ingest-logs.ts';
import { listLogs } from './routes/list-logs.ts';
import { logStats } from './routes/log-stats.ts';
import { metricsRoute } from './routes/metrics.ts';

/** AppDeps are the app's collaborators; everything else has a default. */
export interface AppDeps {
  db: Database;
  logger: Logger;
  bodyLimitBytes?: number;
  /** queueLimit is how many requests may wait for a database slot before 429. */
  queueLimit?: number;
  /** limiter overrides the default cap of db.poolSize in-flight requests. */
  limiter?: Limiter;
  /** isShuttingDown turns readiness to 503 and asks clients to close their connections. */
  isShuttingDown?: () => boolean;
}

/** ServiceApp is the Express app plus the parts tests and main.ts look at. */
export type ServiceApp = Express & { limiter: Limiter; metrics: Metrics };

const requestIdPattern = /^[A-Za-z0-9._-]{1,128}$/;

/** createApp builds the app. */
export function createApp(deps: AppDeps): ServiceApp {
  const limiter = deps.limiter ?? new Limiter(deps.db.poolSize, deps.queueLimit ?? 200);
  const metrics = createMetrics({ poolStats: () => deps.db.poolStats(), limiter });
  const isShuttingDown = deps.isShuttingDown ?? (() => false);
  const bodyLimitBytes = deps.bodyLimitBytes ?? 5 * 1024 * 1024;
  const app = express() as unknown as ServiceApp;
  app.limiter = limiter;
  app.metrics = metrics;
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(metrics.middleware);
  app.use(
    pinoHttp({
      logger: deps.logger,
      quietReqLogger: true,
      quietResLogger: true,
      // pino-http binds the request to a child logger even when quiet; keep that binding to
      // the id so no headers are serialized and redacted on every request
      serializers: {
        req: (req: { id?: unknown }) => ({ id: req.id }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customSuccessMessage: () => 'request completed',
      customErrorMessage: () => 'request failed',
      customSuccessObject: (req, res, value: { responseTime: number }) => ({
        method: req.method,
        route: routeOf(req as { route?: { path?: unknown } }),
        status: res.statusCode,
        durationMs: value.responseTime,
      }),
      customErrorObject: (req, res, error, value: { responseTime: number }) => ({
        method: req.method,
        route: routeOf(req as { route?: { path?: unknown } }),
        status: res.statusCode,
        durationMs: value.responseTime,
        err: error,
      }),
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );
  app.use((_req, res, next) => {
    if (isShuttingDown()) res.setHeader('Connection', 'close');
    next();
  });
  // no global RequestContext: a handler that works with entities is wrapped in
  // withUnitOfWork (service/unit-of-work.ts) and gets its own fork; the routes below run SQL
  // on the pool and would only pay for an identity map they never use

  app.get('/healthz', healthz());
  app.get('/readyz', readyz({ db: deps.db, isShuttingDown }));
  app.get('/metrics', metricsRoute(metrics));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.post('/v1/logs', ingestLogs({ db: deps.db, limiter, metrics, bodyLimitBytes }));
  app.get('/v1/logs', listLogs({ db: deps.db, limiter }));
  app.get('/v1/logs/stats', logStats({ db: deps.db, limiter }));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
