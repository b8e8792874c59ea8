/** GET /v1/services: the names of the services that have stored events (the page's filter). */
import type { RequestHandler } from 'express';
import type { Database } from '../db.ts';
import type { Limiter } from '../limiter.ts';
import { listServices } from '../store/list-services.ts';
import { QueryReader } from './query-params.ts';

/** listServicesRoute builds the handler. */
export function listServicesRoute(deps: { db: Database; limiter: Limiter }): RequestHandler {
  return async (req, res) => {
    new QueryReader(req, []).finish();
    const services = await deps.limiter.run(() => listServices(deps.db));
    res.json({ services });
  };
}
