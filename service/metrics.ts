/**
 * Prometheus metrics of one app instance, on its own registry so several apps (tests) can live
 * in one process: requests and latency by route and status, events ingested, load shed,
 * OTLP records rejected, events outside the ingest window, database pool and limiter gauges, and the default process metrics.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from './db.ts';
import type { Limiter } from './limiter.ts';

/** Metrics holds the registry and the instruments the routes update. */
export interface Metrics {
  registry: Registry;
  eventsIngested: Counter;
  /** otlpRecordsRejected counts OTLP log records answered as rejected in a partial success. */
  otlpRecordsRejected: Counter;
  /** eventsRejected counts events of either format refused for falling outside the ingest window. */
  eventsRejected: Counter<'reason'>;
  /** observeRequest counts one finished request and records its latency. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
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
  const otlpRecordsRejected = new Counter({
    name: 'otlp_log_records_rejected_total',
    help: 'OTLP log records not stored because they broke a limit or fell outside the ingest window (reported as partial success)',
    registers: [registry],
  });
  const eventsRejected = new Counter({
    name: 'log_events_rejected_total',
    help: 'Events not stored because their time is outside the ingest window (reason too_old or too_new); OTLP records refused so are in otlp_log_records_rejected_total too',
    labelNames: ['reason'],
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
  // the label children of each (method, route, status) seen, made once: labels() validates the
  // label set, which otherwise happens on every request
  const children = new Map<
    string,
    { count: Counter.Internal; latency: { observe(v: number): void } }
  >();
  const observeRequest = (method: string, route: string, status: number, seconds: number) => {
    const key = `${method} ${route} ${status}`;
    let child = children.get(key);
    if (!child) {
      const labels = [method, route, String(status)];
      child = { count: requests.labels(...labels), latency: duration.labels(...labels) };
      children.set(key, child);
    }
    child.count.inc();
    child.latency.observe(seconds);
  };
  return { registry, eventsIngested, otlpRecordsRejected, eventsRejected, observeRequest };
}
