/**
 * POST /v1/logs: one event, a JSON array or NDJSON of up to 1000 events. The whole batch is
 * validated before anything is stored and stored in one statement; 202 is sent only after
 * PostgreSQL has committed it. With an ingest window, events outside it are refused one by one
 * (listed in `rejected`) and the rest of the batch is stored, as CloudWatch Logs does.
 */
import type { RequestHandler } from 'express';
import type { Database } from '../db.ts';
import { HttpError } from '../errors.ts';
import type { IngestWindow } from '../ingest-window.ts';
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
  ingestWindow?: IngestWindow;
}): RequestHandler {
  return async (req, res) => {
    const receivedAt = new Date().toISOString();
    const values = await readEvents(req, deps.bodyLimitBytes);
    const { events, problems, outside } = validateEvents(values, receivedAt, deps.ingestWindow);
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
    const stored =
      events.length > 0 ? await deps.limiter.run(() => insertEvents(deps.db, events)) : 0;
    deps.metrics.eventsIngested.inc(stored);
    for (const { bound } of outside) deps.metrics.eventsRejected.inc({ reason: bound });
    const answer = `"received":${values.length},"stored":${stored},"duplicates":${events.length - stored}`;
    sendJson(
      res,
      202,
      outside.length === 0
        ? `{${answer}}`
        : `{${answer},"rejected":${outside.length},"rejectedEvents":${JSON.stringify(
            outside
              .slice(0, 1000)
              .map(({ index, reason }) => ({ index, field: 'timestamp', reason })),
          )}}`,
    );
  };
}
