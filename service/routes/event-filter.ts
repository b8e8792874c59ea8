/**
 * The filter parameters GET /v1/logs and GET /v1/logs/stats share (service, level, q,
 * traceId), read the same way so the chart of a query counts what its list shows.
 */
import { type Level, levelNumber, levels } from '../entities/log-event.ts';
import type { EventFilter } from '../store/list-events.ts';
import type { QueryReader } from './query-params.ts';

/** filterParameters are the names readFilter reads. */
export const filterParameters = ['service', 'level', 'q', 'traceId'];

/** readFilter reads the shared parameters; problems are collected by the reader. */
export function readFilter(
  reader: QueryReader,
): Pick<EventFilter, 'service' | 'minLevel' | 'q' | 'traceId'> {
  const filter: Pick<EventFilter, 'service' | 'minLevel' | 'q' | 'traceId'> = {};
  const service = reader.string('service', 128);
  const level = reader.oneOf<Level>('level', levels);
  const q = reader.string('q', 256);
  const traceId = reader.hex('traceId', 32);
  if (service !== undefined) filter.service = service;
  if (level !== undefined) filter.minLevel = levelNumber(level);
  if (q !== undefined) filter.q = q;
  if (traceId !== undefined) filter.traceId = traceId;
  return filter;
}
