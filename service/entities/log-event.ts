/**
 * The severities of a stored event. log_event itself is made by the migrations in
 * ../migrations and read and written only with SQL (service/store/), so it has no entity: the
 * ORM's metadata, identity map and unit of work would cost time on every request and serve no
 * query.
 */

/** levels are the severities in increasing order; the stored level is the index. */
export const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** Level is one severity name. */
export type Level = (typeof levels)[number];

/** levelNumber maps a severity name to the number stored in log_event.level. */
export function levelNumber(level: Level): number {
  return levels.indexOf(level);
}
