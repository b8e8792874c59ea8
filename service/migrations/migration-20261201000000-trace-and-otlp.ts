import { Migration } from '@mikro-orm/migrations';

/**
 * Migration20261201000000 adds what OpenTelemetry logs carry beside the event: the trace and
 * span ids (lowercase hex) and the OTLP resource attributes and instrumentation scope as jsonb.
 * The columns are nullable without a default, so adding them rewrites nothing. The trace index
 * is partial: events without a trace id, all of those stored before, cost it nothing.
 */
export class Migration20261201000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "log_event"
      add column "trace_id" varchar(32) null,
      add column "span_id" varchar(16) null,
      add column "resource" jsonb null,
      add column "scope" jsonb null;`);
    this.addSql(
      `create index "log_event_trace_id_index" on "log_event" ("trace_id") where "trace_id" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "log_event_trace_id_index";');
    this.addSql(`alter table "log_event"
      drop column if exists "scope",
      drop column if exists "resource",
      drop column if exists "span_id",
      drop column if exists "trace_id";`);
  }
}
