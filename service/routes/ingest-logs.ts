/**
 * POST /v1/logs: one event, a JSON array or NDJSON of up to 1000 events. The whole batch is
 * validated before anything is stored and stored in one statement; 202 is sent only after
 * PostgreSQL has committed it.
 */
import type { RequestHandler } from 'express';
import type { Database } from '../db.ts';
import { HttpError } from '../errors.ts';
import type { Limiter } from '../limiter.ts';
import type { Metrics } from '../metrics.ts';
import { readEvents } from '../read-body.ts';
import { sendJson } from '../respond.ts';
import { insertEvents } from '../store/insert-events.ts';
import { validateEvents } from '../validate-events.ts';

/** ingestLogs builds the handler. */
export function ingestLogs(deps: {
  db: Database;
  limiter: Limiter;
  metrics: Metrics;
  bodyLimitBytes: number;
}): RequestHandler {
  return async (req, res) => {
    const receivedAt = new Date().toISOString();
    const values = await readEvents(req, deps.bodyLimitBytes);
    const { events, problems } = validateEvents(values, receivedAt);
    if (problems.length > 0) {
      throw new HttpError(
        400,
        'invalid_events',
        `${problems.length} problem(s) in the submitted events; nothing was stored`,
        {
          details: problems.slice(0, 1000),
        },
      );
    }
    const stored = await deps.limiter.run(() => insertEvents(deps.db, events));
    deps.metrics.eventsIngested.inc(stored);
    const duplicates = events.length - stored;
    sendJson(
      res,
      202,
      `{"received":${events.length},"stored":${stored},"duplicates":${duplicates}}`,
    );
  };
}
