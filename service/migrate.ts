/**
 * `npm run migrate`: apply pending migrations to the configured (or embedded) database and exit.
 */
import { ConfigError, loadConfig } from './config.ts';
import { resolveDatabase } from './database-config.ts';
import { openDatabase } from './db.ts';
import { createLogger } from './logger.ts';

async function migrate(): Promise<void> {
  const config = loadConfig();
  const { logger } = createLogger(config);
  const { database, embedded } = await resolveDatabase(config, logger);
  const db = await openDatabase(database, logger);
  try {
    const applied = await db.migrate();
    logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'no pending migrations');
  } finally {
    await db.close();
    await embedded?.stop();
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
