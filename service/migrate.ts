/**
 * `npm run migrate`: apply pending migrations to the configured (or embedded) database and exit;
 * with DB_MASTER_SECRET_ARN as the master, setting up the service user (db-setup.ts).
 */
import { ConfigError, loadConfig } from './config.ts';
import { resolveDatabase } from './database-config.ts';
import { type Database, openDatabase } from './db.ts';
import { prepareDatabase } from './db-setup.ts';
import { createLogger } from './logger.ts';

async function migrate(): Promise<void> {
  const config = loadConfig();
  const { logger } = createLogger(config);
  const { database, embedded } = await resolveDatabase(config, logger);
  try {
    const applied = database.masterSecretArn
      ? await prepareDatabase(database, { masterSecretArn: database.masterSecretArn, logger })
      : await migrateAndClose(await openDatabase(database, logger));
    logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'no pending migrations');
  } finally {
    await embedded?.stop();
  }
}

async function migrateAndClose(db: Database): Promise<string[]> {
  try {
    return await db.migrate();
  } finally {
    await db.close();
  }
}

migrate().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else
    process.stderr.write(
      `migration failed: ${err instanceof Error ? err.stack : String(err)}\n${err instanceof Error && err.cause ? `caused by: ${String(err.cause)}\n` : ''}`,
    );
  process.exit(1);
});
