/**
 * The bookkeeping of log_event's partitions: one row per attached partition, written in the
 * transaction that makes it and removed when retention drops it. The service's partition
 * code reads and writes it through the ORM (it is off the hot path); the catalog (pg_inherits)
 * stays the authority on what is attached, this table on which range each partition covers.
 */
import { defineEntity, p } from '@mikro-orm/core';

/** LogPartitionEntity maps table log_partition. */
export const LogPartitionEntity = defineEntity({
  name: 'LogPartition',
  tableName: 'log_partition',
  properties: {
    name: p.string().primary().length(63),
    rangeStart: p.datetime().fieldName('range_start'),
    rangeEnd: p.datetime().fieldName('range_end'),
    createdAt: p.datetime().fieldName('created_at').defaultRaw('now()'),
  },
});
