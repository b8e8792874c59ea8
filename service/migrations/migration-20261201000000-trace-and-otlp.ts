import { Migration } from '@mikro-orm/migrations';

/**
 * Migration20261201000000 adds what OpenTelemetry logs carry beside the event: the trace and
 * span ids (their 16 and 8 bytes: half the size of hex text, and compared bytewise, which
 * keeps the trace index cheap to maintain on every insert), and the source, i.e. the OTLP resource attributes and
 * instrumentation scope, kept once in log_source (keyed by a hash of their content) instead of
 * on every event: an export repeats the same resource for each of its records. The new columns
 * are nullable without a default, so adding them rewrites nothing. The trace index is partial:
 * events without a trace id, all of those stored before, cost it nothing.
 */
export class Migration20261201000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "log_source" (
      "id" uuid primary key,
      "resource" jsonb null,
      "scope" jsonb null
    );`);
    this.addSql(`alter table "log_event"
      add column "trace_id" bytea null,
      add column "span_id" bytea null,
      add column "source_id" uuid null;`);
    this.addSql(
      `create index "log_event_trace_id_index" on "log_event" ("trace_id") where "trace_id" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "log_event_trace_id_index";');
    this.addSql(`alter table "log_event"
      drop column if exists "source_id",
      drop column if exists "span_id",
      drop column if exists "trace_id";`);
    this.addSql('drop table if exists "log_source";');
  }
}
