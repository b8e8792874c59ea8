/**
 * createApp wires the Express app from its dependencies without listening, so tests drive it
 * on an ephemeral port and main.ts owns the process concerns (listen, signals, shutdown).
 */
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Database } from './db.ts';
import { errorHandler, methodNotAllowed, notFoundHandler } from './errors.ts';
import type { IngestWindow } from './ingest-window.ts';
import { Limiter } from './limiter.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { requestLog } from './request-log.ts';
import { explorer } from './routes/explorer.ts';
import { healthz, readyz } from './routes/health.ts';
import { ingestLogs } from './routes/ingest-logs.ts';
import { ingestOtlpLogs, otlpEncodingOf } from './routes/ingest-otlp-logs.ts';
import { listLogs } from './routes/list-logs.ts';
import { listServicesRoute } from './routes/list-services.ts';
import { logStats } from './routes/log-stats.ts';
import { metricsRoute } from './routes/metrics.ts';

/** AppDeps are the app's collaborators; everything else has a default. */
export interface AppDeps {
  db: Database;
  logger: Logger;
  bodyLimitBytes?: number;
  /** ingestWindow bounds the event times stored; without one any time of years 1 to 9999 is. */
  ingestWindow?: IngestWindow;
  /** queueLimit is how many requests may wait for a database slot before 429. */
  queueLimit?: number;
  /** limiter overrides the default cap of db.poolSize in-flight requests. */
  limiter?: Limiter;
  /** isShuttingDown turns readiness to 503 and asks clients to close their connections. */
  isShuttingDown?: () => boolean;
}

/** ServiceApp is the Express app plus the parts tests and main.ts look at. */
export type ServiceApp = Express & { limiter: Limiter; metrics: Metrics };

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

  app.use(requestLog({ logger: deps.logger, metrics, isShuttingDown }));
  // each path's methods, so the same path asked with another one is a 405 naming them
  const allowed = new Map<string, Set<string>>();
  const route = (method: 'get' | 'post', path: string, handler: RequestHandler) => {
    app[method](path, handler);
    const methods = allowed.get(path) ?? new Set<string>();
    for (const name of method === 'get' ? ['GET', 'HEAD'] : ['POST']) methods.add(name);
    allowed.set(path, methods);
  };
  // no global RequestContext: the routes below run SQL on the pool and would only pay for an
  // identity map they never use

  // the hot routes first: the router tries each registered route in order
  const window = deps.ingestWindow ? { ingestWindow: deps.ingestWindow } : {};
  const nativeIngest = ingestLogs({ db: deps.db, limiter, metrics, bodyLimitBytes, ...window });
  const otlpIngest = ingestOtlpLogs({
    db: deps.db,
    limiter,
    metrics,
    logger: deps.logger,
    bodyLimitBytes,
    ...window,
  });
  // OTLP's standard path takes protobuf, which the native format never is; JSON stays native
  // here (OTLP/JSON shares its content type) and goes to /v1/otlp/logs
  route('post', '/v1/logs', (req, res, next) =>
    otlpEncodingOf(req.headers['content-type']) === 'protobuf'
      ? otlpIngest(req, res, next)
      : nativeIngest(req, res, next),
  );
  route('get', '/v1/logs', listLogs({ db: deps.db, limiter }));
  route('post', '/v1/otlp/logs', otlpIngest);
  route('get', '/v1/logs/stats', logStats({ db: deps.db, limiter }));
  route('get', '/v1/services', listServicesRoute({ db: deps.db, limiter }));
  route('get', '/healthz', healthz());
  route('get', '/readyz', readyz({ db: deps.db, isShuttingDown }));
  route('get', '/metrics', metricsRoute(metrics));
  route('get', '/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  for (const [path, methods] of allowed) app.all(path, methodNotAllowed([...methods].sort()));
  // the page's files last: only requests no route matched reach the file system
  app.use(explorer(deps.logger));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
