import { Migration } from '@mikro-orm/migrations';

/**
 * Migration20261128000100 adds partial indexes for the common "errors only" queries
 * (level >= error, overall and per service). Without them such a query walks every event of
 * the range and discards the lower levels; being partial, they cost nothing on inserts of
 * lower levels.
 */
export class Migration20261128000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "log_event_errors_ts_id_index" on "log_event" ("ts", "id") where "level" >= 4;`,
    );
    this.addSql(
      `create index "log_event_service_errors_ts_id_index" on "log_event" ("service", "ts", "id") where "level" >= 4;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "log_event_service_errors_ts_id_index";');
    this.addSql('drop index if exists "log_event_errors_ts_id_index";');
  }
}
