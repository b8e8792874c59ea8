/**
 * resolveDatabase returns the configured database, or starts the embedded PostgreSQL under
 * dataDir when nothing names one, so a fresh checkout runs with no setup.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { type DatabaseConfig, loadConfig, type ServiceConfig } from './config.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-db.ts';

/** resolveDatabase picks the database and reports the embedded server it started, if any. */
export async function resolveDatabase(
  config: ServiceConfig,
  logger: Logger,
): Promise<{ database: DatabaseConfig; embedded?: EmbeddedPostgres }> {
  if (config.database) return { database: config.database };
  logger.info(
    { dataDir: config.dataDir, port: config.embeddedPort },
    'no DATABASE_URL: starting embedded PostgreSQL',
  );
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPort,
  });
  logger.info(
    { dataDir: embedded.dataDir, port: embedded.port },
    embedded.dataDir === resolve(config.dataDir)
      ? 'embedded PostgreSQL started'
      : 'embedded PostgreSQL started; its data is where its user can reach it',
  );
  const database = loadConfig({ ...process.env, DATABASE_URL: embedded.url }).database!;
  return { database, embedded };
}
