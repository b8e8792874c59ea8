/**
 * The retention policy in effect and what its last pass did: one row, written by every pass of
 * the retention job (service/retention.ts) through the ORM, so an operator reads in the
 * database which retention and partition width the running service applies and when it last
 * dropped partitions.
 */
import { defineEntity, p } from '@mikro-orm/core';

/** RetentionPolicyEntity maps table retention_policy (one row, name 'log_event'). */
export const RetentionPolicyEntity = defineEntity({
  name: 'RetentionPolicy',
  tableName: 'retention_policy',
  properties: {
    name: p.string().primary().length(63),
    retentionDays: p.integer().fieldName('retention_days'),
    partitionInterval: p.string().fieldName('partition_interval').length(8),
    aheadPeriods: p.integer().fieldName('ahead_periods'),
    lastRunAt: p.datetime().fieldName('last_run_at'),
    lastDropped: p.json<string[]>().fieldName('last_dropped'),
  },
});
