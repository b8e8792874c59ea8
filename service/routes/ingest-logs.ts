/**
 * POST /v1/logs: one event, a JSON array or NDJSON of up to 1000 events. The whole batch is
 * validated before anything is stored and stored in one statement; 202 is sent only after
 * PostgreSQL has committed it. With an ingest window, events outside it are refused one by one
 * (listed in `rejected`) and the rest of the batch is stored, as CloudWatch Logs does.
 */
import type { RequestHandler } from 'express';
import type { Database } from '../db.ts';
import { HttpError } from '../errors.ts';
import { type IngestWindow, outsideWindow } from '../ingest-window.ts';
import type { Limiter } from '../limiter.ts';
import type { Metrics } from '../metrics.ts';
import { readEvents } from '../read-body.ts';
import { sendJson } from '../respond.ts';
import { insertEvents } from '../store/insert-events.ts';
import { type NewEvent, validateEvents } from '../validate-events.ts';

/** ingestLogs builds the handler. */
export function ingestLogs(deps: {
  db: Database;
  limiter: Limiter;
  metrics: Metrics;
  bodyLimitBytes: number;
  ingestWindow?: IngestWindow;
}): RequestHandler {
  return async (req, res) => {
    const receivedAtMs = Date.now();
    const receivedAt = new Date(receivedAtMs).toISOString();
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
    const { kept, rejected } = deps.ingestWindow
      ? splitByWindow(events, receivedAtMs, deps.ingestWindow)
      : { kept: events, rejected: [] };
    const stored = kept.length > 0 ? await deps.limiter.run(() => insertEvents(deps.db, kept)) : 0;
    deps.metrics.eventsIngested.inc(stored);
    for (const { bound } of rejected) deps.metrics.eventsRejected.inc({ reason: bound });
    const duplicates = kept.length - stored;
    const answer = `"received":${events.length},"stored":${stored},"duplicates":${duplicates}`;
    sendJson(
      res,
      202,
      rejected.length === 0
        ? `{${answer}}`
        : `{${answer},"rejected":${rejected.length},"rejectedEvents":${JSON.stringify(
            rejected
              .slice(0, 1000)
              .map(({ index, reason }) => ({ index, field: 'timestamp', reason })),
          )}}`,
    );
  };
}

/** splitByWindow keeps the events inside the window and lists the others by their batch index. */
function splitByWindow(events: NewEvent[], receivedAtMs: number, window: IngestWindow) {
  const kept: NewEvent[] = [];
  const rejected: Array<{ index: number; bound: string; reason: string }> = [];
  events.forEach((event, index) => {
    const outside = outsideWindow(event.timestamp, receivedAtMs, window);
    if (outside) rejected.push({ index, ...outside });
    else kept.push(event);
  });
  return { kept, rejected };
}
