/** GET /metrics: the Prometheus text exposition of the app's registry. */
import type { RequestHandler } from 'express';
import type { Metrics } from '../metrics.ts';

/** metricsRoute builds the handler. */
export function metricsRoute(metrics: Metrics): RequestHandler {
  return async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
