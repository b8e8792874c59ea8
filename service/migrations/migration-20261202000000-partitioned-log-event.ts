import { Migration } from '@mikro-orm/migrations';
import { partitionDdl, partitionRecordSql, periodOf } from '../store/partition-ranges.ts';

/**
 * Migration20261202000000 turns log_event into a table range-partitioned by ts, one partition
 * per UTC day holding rows, and copies every row over with its id (one transaction: readers
 * see the old table or the new one, never half). What a partitioned table cannot hold changes
 * shape:
 * - the key becomes (ts, id), the partition key first (it is also the keyset pages' order);
 * - the id comes from a plain sequence (PostgreSQL 15 has no identity on partitioned tables);
 * - a unique index must contain the partition key, so "one event per client id" moves to
 *   log_client_id, a narrow ledger of the client ids taken (insert-events.ts claims there).
 * log_partition records each partition's range (service/store/partition-ranges.ts), retention_policy
 * the policy the retention job applies and its last pass (service/retention.ts).
 */
export class Migration20261202000000 extends Migration {
  override async up(): Promise<void> {
    const days = (await this.execute(
      `select distinct (extract(epoch from date_trunc('day', ts, 'UTC')) * 1000)::float8 as start
       from log_event order by 1`,
    )) as Array<{ start: number }>;
    this.addSql('alter table "log_event" rename to "log_event_unpartitioned";');
    this.addSql('alter table "log_event_unpartitioned" alter column "id" drop identity;');
    for (const index of [
      'log_event_client_id_unique',
      'log_event_ts_id_index',
      'log_event_service_ts_id_index',
      'log_event_message_fts_index',
      'log_event_errors_ts_id_index',
      'log_event_service_errors_ts_id_index',
      'log_event_trace_id_index',
    ]) {
      this.addSql(`drop index if exists "${index}";`);
    }
    this.addSql(
      'alter table "log_event_unpartitioned" rename constraint "log_event_pkey" to "log_event_unpartitioned_pkey";',
    );
    this.addSql('create sequence "log_event_id_seq" as bigint;');
    this.addSql(`create table "log_event" (
      "id" bigint not null default nextval('log_event_id_seq'),
      "client_id" varchar(128) null,
      "ts" timestamptz(6) not null,
      "received_at" timestamptz(6) not null default now(),
      "service" varchar(128) not null,
      "level" smallint not null check ("level" between 0 and 5),
      "message" text not null,
      "attributes" jsonb null,
      "trace_id" bytea null,
      "span_id" bytea null,
      "source_id" uuid null,
      primary key ("ts", "id")
    ) partition by range ("ts");`);
    this.addSql('alter sequence "log_event_id_seq" owned by "log_event"."id";');
    this.addSql(
      `create index "log_event_service_ts_id_index" on "log_event" ("service", "ts", "id");`,
    );
    this.addSql(
      `create index "log_event_message_fts_index" on "log_event" using gin (to_tsvector('simple', "message"));`,
    );
    this.addSql(
      `create index "log_event_errors_ts_id_index" on "log_event" ("ts", "id") where "level" >= 4;`,
    );
    this.addSql(
      `create index "log_event_service_errors_ts_id_index" on "log_event" ("service", "ts", "id") where "level" >= 4;`,
    );
    this.addSql(
      `create index "log_event_trace_id_index" on "log_event" ("trace_id") where "trace_id" is not null;`,
    );
    this.addSql(`create table "log_partition" (
      "name" varchar(63) primary key,
      "range_start" timestamptz not null,
      "range_end" timestamptz not null,
      "created_at" timestamptz not null default now(),
      check ("range_start" < "range_end")
    );`);
    this.addSql(`create table "retention_policy" (
      "name" varchar(63) primary key,
      "retention_days" int not null,
      "partition_interval" varchar(8) not null,
      "ahead_periods" int not null,
      "last_run_at" timestamptz not null,
      "last_dropped" jsonb not null
    );`);
    this.addSql(`create table "log_client_id" (
      "client_id" varchar(128) primary key,
      "ts" timestamptz(6) not null
    );`);
    this.addSql('create index "log_client_id_ts_index" on "log_client_id" ("ts");');
    for (const { start } of days) {
      const range = periodOf(start, 'day');
      for (const sql of partitionDdl(range)) this.addSql(`${sql};`);
      this.addSql(`${partitionRecordSql(range)};`);
    }
    this.addSql(`insert into "log_event" select "id", "client_id", "ts", "received_at", "service",
      "level", "message", "attributes", "trace_id", "span_id", "source_id" from "log_event_unpartitioned";`);
    this.addSql(`insert into "log_client_id" ("client_id", "ts")
      select "client_id", "ts" from "log_event_unpartitioned" where "client_id" is not null;`);
    this.addSql(
      `select setval('log_event_id_seq', coalesce((select max("id") from "log_event_unpartitioned"), 0) + 1, false);`,
    );
    this.addSql('drop table "log_event_unpartitioned";');
    this.addSql('analyze "log_event";');
  }
}
