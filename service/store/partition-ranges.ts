/**
 * The partitions' ranges, names and DDL: pure, so the migration that makes the first ones and
 * the upkeep in partitions.ts share them without the migration depending on the database module.
 */
/** PartitionInterval is the width of a new partition. */
export type PartitionInterval = 'day' | 'hour';

/** Range is a half-open interval [start, end) of epoch milliseconds. */
export interface Range {
  start: number;
  end: number;
}

const hourMillis = 3_600_000;
/** intervalMillis is the width of each interval. */
export const intervalMillis: Record<PartitionInterval, number> = {
  day: 24 * hourMillis,
  hour: hourMillis,
};

/** periodOf is the day or hour (UTC) holding the instant. */
export function periodOf(millis: number, interval: PartitionInterval): Range {
  const width = intervalMillis[interval];
  const start = Math.floor(millis / width) * width;
  return { start, end: start + width };
}

/**
 * rangeFor is the partition to make for an instant no partition holds: its period, shrunk to
 * the gap between the partitions around it (after a switch from hourly to daily partitions a
 * day may hold some hours already). Undefined when a partition already holds the instant.
 */
export function rangeFor(
  millis: number,
  interval: PartitionInterval,
  existing: readonly Range[],
): Range | undefined {
  let { start, end } = periodOf(millis, interval);
  for (const range of existing) {
    if (range.start <= millis && millis < range.end) return undefined;
    if (range.end <= millis) start = Math.max(start, range.end);
    else end = Math.min(end, range.start);
  }
  return { start, end };
}

const iso = (millis: number) => new Date(millis).toISOString();

/** partitionName names a partition after its start: log_event_p20261202, or ..._p2026120213. */
export function partitionName(range: Range): string {
  const text = iso(range.start);
  const wholeDay =
    range.start % intervalMillis.day === 0 && range.end - range.start === intervalMillis.day;
  return `log_event_p${text.slice(0, 10).replaceAll('-', '')}${wholeDay ? '' : text.slice(11, 13)}`;
}

/**
 * partitionDdl makes and attaches the partition of range. The indexes of log_event are created
 * on it by the attach (each index of a partitioned table has one per partition).
 */
export function partitionDdl(range: Range): string[] {
  const name = partitionName(range);
  return [
    `create table "${name}" (like "log_event" including defaults including constraints)`,
    `alter table "log_event" attach partition "${name}" for values from ('${iso(range.start)}') to ('${iso(range.end)}')`,
  ];
}

/** partitionRecordSql is the log_partition row of range, for migrations (no ORM there). */
export function partitionRecordSql(range: Range): string {
  return `insert into "log_partition" ("name", "range_start", "range_end") values ('${partitionName(range)}', '${iso(range.start)}', '${iso(range.end)}')`;
}
