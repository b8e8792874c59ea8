/**
 * The migrations in the order they run. Listing them here (instead of a file glob) makes them
 * work the same under tsx, in the compiled dist/ and in a container image.
 */
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128000000 } from './migration-20261128000000-log-event.ts';
import { Migration20261128000100 } from './migration-20261128000100-error-indexes.ts';
import { Migration20261201000000 } from './migration-20261201000000-trace-and-otlp.ts';
import { Migration20261202000000 } from './migration-20261202000000-partitioned-log-event.ts';

/** migrationsList is passed to MikroORM's migrator; names are recorded in mikro_orm_migrations. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261128000000', class: Migration20261128000000 },
  { name: 'Migration20261128000100', class: Migration20261128000100 },
  { name: 'Migration20261201000000', class: Migration20261201000000 },
  { name: 'Migration20261202000000', class: Migration20261202000000 },
];
