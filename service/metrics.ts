/**
 * Prometheus metrics of one app instance, on its own registry so several apps (tests) can live
 * in one process: requests and latency by route and status, events ingested, load shed,
 * database pool and limiter gauges, and the default process metrics.
 */
import type { RequestHandler } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from './db.ts';
import type { Limiter } from './limiter.ts';

/** Metrics holds the registry and the instruments the routes update. */
export interface Metrics {
  registry: Registry;
  eventsIngested: Counter;
  middleware: RequestHandler;
}

/** routeOf is the matched route pattern (bounded label cardinality), or "unmatched". */
export function routeOf(req: { route?: { path?: unknown } }): string {
  const path = req.route?.path;
  return typeof path === 'string' ? path : 'unmatched';
}

/** createMetrics builds the registry; pool and limiter are read when /metrics is scraped. */
export function createMetrics(sources: { poolStats: () => PoolStats; limiter: Limiter }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const eventsIngested = new Counter({
    name: 'log_events_ingested_total',
    help: 'Log events stored (duplicates by client id not counted)',
    registers: [registry],
  });
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = sources.poolStats();
      this.set({ state: 'max' }, stats.max);
      this.set({ state: 'used' }, stats.used);
      this.set({ state: 'free' }, stats.free);
      this.set({ state: 'pending_acquire' }, stats.pendingAcquires);
    },
  });
  new Gauge({
    name: 'db_work_in_flight',
    help: 'Requests holding a database slot, and requests queued for one',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'in_flight' }, sources.limiter.inFlight);
      this.set({ state: 'queued' }, sources.limiter.queued);
    },
  });
  new Counter({
    name: 'http_requests_shed_total',
    help: 'Requests answered 429 because the database queue was full',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.limiter.shed);
    },
  });
  const middleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = { method: req.method, route: routeOf(req), status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
  return { registry, eventsIngested, middleware };
}
