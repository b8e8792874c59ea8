/**
 * The service process: validate the configuration, connect (or start the embedded database),
 * migrate (as the master, setting up the service user, when DB_MASTER_SECRET_ARN is given), listen, run retention, and on SIGTERM/SIGINT shut down gracefully: stop accepting,
 * let in-flight requests finish (bounded by SHUTDOWN_TIMEOUT_MS), flush logs, close the ORM.
 * Requests are acknowledged only after commit, so no acknowledged event is lost.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { resolveDatabase } from './database-config.ts';
import { openDatabase } from './db.ts';
import { prepareDatabase } from './db-setup.ts';
import { createHttpServer } from './http-server.ts';
import { createLogger } from './logger.ts';
import { startRetention } from './retention.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { logger, close: closeLogger } = createLogger(config);
  const { database, embedded } = await resolveDatabase(config, logger);
  // with a master secret the migrations run as the master, which then sets up the service user
  const setUp =
    config.migrateOnStart && database.masterSecretArn
      ? await prepareDatabase(database, { masterSecretArn: database.masterSecretArn, logger })
      : undefined;
  const db = await openDatabase(database, logger);
  if (config.migrateOnStart) {
    const applied = setUp ?? (await db.migrate());
    logger.info({ applied }, 'migrations applied');
  }
  let shuttingDown = false;
  const app = createApp({
    db,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    ingestWindow: {
      maxAgeMs: config.retentionDays * 86_400_000,
      maxFutureMs: config.ingestMaxFutureSeconds * 1000,
    },
    queueLimit: config.queueLimit,
    isShuttingDown: () => shuttingDown,
  });
  const server = createHttpServer(app);
  server.listen(config.port);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info(
    { port, database: `${database.host}:${database.port}/${database.name}` },
    'listening',
  );
  const retention = startRetention({
    db,
    logger,
    retentionDays: config.retentionDays,
    intervalSeconds: config.retentionIntervalSeconds,
  });

  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      logger.warn('shutdown timeout: closing remaining connections');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    await closed;
    clearTimeout(timer);
    await retention.stop();
    await db.close();
    await embedded?.stop();
    logger.info('stopped');
    await closeLogger();
    logger.flush?.();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      shutdown(signal).catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `log service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  if (err instanceof Error && err.cause) process.stderr.write(`caused by: ${String(err.cause)}\n`);
  process.exit(1);
});
