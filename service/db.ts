/**
 * The database: MikroORM owns the schema (migrations), the metadata and the per-request unit of
 * work; hot paths (bulk insert, keyset pages, stats) run parameterised SQL on a connection
 * borrowed from the ORM's own knex pool, so there is one pool and one set of credentials.
 */
import { readFileSync } from 'node:fs';
import { Signer } from '@aws-sdk/rds-signer';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import type { QueryResultRow } from 'pg';
import type { Logger } from 'pino';
import type { DatabaseConfig } from './config.ts';
import { LogEventEntity } from './entities/log-event.ts';
import { LogSourceEntity } from './entities/log-source.ts';
import { migrationsList } from './migrations/index.ts';

/** PoolStats are the connection pool's gauges, exported on /metrics. */
export interface PoolStats {
  max: number;
  used: number;
  free: number;
  pendingAcquires: number;
}

/**
 * QueryOptions: `prepare` makes a named prepared statement; `rowMode: 'array'` returns each row
 * as an array of column values in select order (no object per row).
 */
export interface QueryOptions {
  prepare?: boolean;
  rowMode?: 'array';
}

/** Database is what routes and jobs need: the ORM, raw queries on its pool, pool gauges. */
export interface Database {
  orm: MikroORM;
  /** poolSize is how many connections request handlers may use at once (the in-flight cap). */
  poolSize: number;
  /**
   * query runs SQL on a pooled connection. With `prepare`, the statement is a named prepared
   * statement, parsed (and its plan cached) once per connection instead of on every call: for
   * fixed, frequent statements whose best plan does not depend on the parameter values.
   */
  query<Row extends QueryResultRow>(
    sql: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<Row[]>;
  /** pendingMigrations names the migrations not yet applied. */
  pendingMigrations(): Promise<string[]>;
  migrate(): Promise<string[]>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

interface RawClient {
  query<Row extends QueryResultRow>(
    sql: string | { name?: string; text: string; values?: unknown[]; rowMode?: 'array' },
    params?: unknown[],
  ): Promise<{ rows: Row[]; rowCount: number | null }>;
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

interface KnexClient {
  pool?: TarnPool;
  acquireConnection(): Promise<RawClient>;
  releaseConnection(connection: RawClient): Promise<void>;
}

/** maxPreparedStatements bounds the distinct statements prepared on each connection. */
const maxPreparedStatements = 200;

/** reservedConnections serve readiness probes, migrations and retention beside requests. */
const reservedConnections = 2;

function sslOptions(config: DatabaseConfig): false | { rejectUnauthorized: boolean; ca?: string } {
  if (config.ssl === 'off') return false;
  if (config.ssl === 'require') return { rejectUnauthorized: false };
  return {
    rejectUnauthorized: true,
    ...(config.sslCaFile ? { ca: readFileSync(config.sslCaFile, 'utf8') } : {}),
  };
}

function passwordOption(config: DatabaseConfig): string | (() => Promise<string>) | undefined {
  if (config.auth !== 'iam') return config.password;
  const signer = new Signer({
    hostname: config.host,
    port: config.port,
    username: config.user,
    ...(config.region ? { region: config.region } : {}),
  });
  return () => signer.getAuthToken();
}

/** ormOptions builds the MikroORM configuration for one database. */
export function ormOptions(config: DatabaseConfig, logger?: Logger): Options {
  const password = passwordOption(config);
  const driverLog = (level: 'warn' | 'error' | 'debug') => (message: unknown) =>
    logger?.[level]({ component: 'knex', detail: String(message) }, 'database driver message');
  return {
    entities: [LogEventEntity, LogSourceEntity],
    host: config.host,
    port: config.port,
    dbName: config.name,
    user: config.user,
    ...(typeof password === 'string' ? { password } : {}),
    pool: {
      min: 0,
      max: config.poolSize + reservedConnections,
      acquireTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
    },
    driverOptions: {
      acquireConnectionTimeout: 5000,
      log: {
        warn: driverLog('warn'),
        error: driverLog('error'),
        deprecate: driverLog('debug'),
        debug: driverLog('debug'),
      },
      connection: {
        ssl: sslOptions(config),
        ...(typeof password === 'function' ? { password } : {}),
        connectionTimeoutMillis: 5000,
        statement_timeout: 30000,
        application_name: 'log-service',
      },
    },
    extensions: [Migrator],
    migrations: {
      migrationsList,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    allowGlobalContext: false,
    debug: false,
  };
}

/** openDatabase connects the ORM; it does not migrate (see Database.migrate). */
export async function openDatabase(config: DatabaseConfig, logger?: Logger): Promise<Database> {
  let orm: MikroORM;
  try {
    orm = await MikroORM.init(ormOptions(config, logger));
  } catch (err) {
    throw new Error(`cannot open database ${config.name} at ${config.host}:${config.port}`, {
      cause: err,
    });
  }
  const knexClient = orm.em.getConnection().getKnex().client as unknown as KnexClient;

  const statementNames = new Map<string, string>();
  const statementName = (sql: string): string | undefined => {
    let name = statementNames.get(sql);
    if (name === undefined && statementNames.size < maxPreparedStatements) {
      name = `log_service_${statementNames.size + 1}`;
      statementNames.set(sql, name);
    }
    return name;
  };

  async function query<Row extends QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    options: QueryOptions = {},
  ) {
    const name = options.prepare ? statementName(sql) : undefined;
    const config = {
      text: sql,
      values: params,
      ...(name === undefined ? {} : { name }),
      ...(options.rowMode === undefined ? {} : { rowMode: options.rowMode }),
    };
    const connection = await knexClient.acquireConnection();
    try {
      const result = await connection.query<Row>(config);
      return result.rows;
    } finally {
      await knexClient.releaseConnection(connection);
    }
  }

  async function withMigrationLock<T>(work: () => Promise<T>): Promise<T> {
    const connection = await knexClient.acquireConnection();
    try {
      await connection.query("select pg_advisory_lock(hashtext('log-service:migrations'))");
      try {
        return await work();
      } finally {
        await connection.query("select pg_advisory_unlock(hashtext('log-service:migrations'))");
      }
    } finally {
      await knexClient.releaseConnection(connection);
    }
  }

  return {
    orm,
    poolSize: config.poolSize,
    query,
    async pendingMigrations() {
      const pending = await orm.getMigrator().getPendingMigrations();
      return pending.map((migration) => migration.name);
    },
    migrate() {
      return withMigrationLock(async () => {
        try {
          const applied = await orm.getMigrator().up();
          return applied.map((migration) => migration.name);
        } catch (err) {
          throw new Error(`cannot migrate database ${config.name}`, { cause: err });
        }
      });
    },
    poolStats() {
      const pool = knexClient.pool;
      return {
        max: config.poolSize + reservedConnections,
        used: pool?.numUsed() ?? 0,
        free: pool?.numFree() ?? 0,
        pendingAcquires: pool?.numPendingAcquires() ?? 0,
      };
    },
    close: () => orm.close(true),
  };
}
