/** GET /v1/logs: filtered, newest-first pages with an opaque cursor. */
import type { RequestHandler } from 'express';
import type { Database } from '../db.ts';
import type { Limiter } from '../limiter.ts';
import { sendJson } from '../respond.ts';
import { decodeCursor, type PagePosition } from '../store/cursor.ts';
import { type EventFilter, listEventsJson } from '../store/list-events.ts';
import { filterParameters, readFilter } from './event-filter.ts';
import { QueryReader } from './query-params.ts';

/** listLogs builds the handler. */
export function listLogs(deps: { db: Database; limiter: Limiter }): RequestHandler {
  return async (req, res) => {
    const reader = new QueryReader(req, [...filterParameters, 'since', 'until', 'limit', 'cursor']);
    const filter: EventFilter = {
      limit: reader.integer('limit', 1, 1000) ?? 100,
      ...readFilter(reader),
    };
    const since = reader.timestamp('since');
    const until = reader.timestamp('until');
    const cursor = reader.string('cursor', 200);
    let after: PagePosition | undefined;
    if (cursor !== undefined) {
      try {
        after = decodeCursor(cursor);
      } catch {
        reader.problem('cursor', 'is not a cursor returned by this API');
      }
    }
    reader.finish();
    if (since !== undefined) filter.since = since.text;
    if (until !== undefined) filter.until = until.text;
    if (after !== undefined) filter.after = after;
    sendJson(res, 200, await deps.limiter.run(() => listEventsJson(deps.db, filter)));
  };
}
