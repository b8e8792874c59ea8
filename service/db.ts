/**
 * The database. Hot paths (bulk insert, keyset pages, stats) run parameterised, mostly prepared
 * SQL on pg pools this module owns: one towards the writer and, when a read replica is
 * configured, one towards the reader, which takes every query that only reads events. MikroORM
 * runs on a small pool of its own for what it is good at: the migrations, the entities and
 * their metadata, and the bookkeeping off the hot path (log_partition through the entity
 * manager and its unit of work).
 */
import { readFileSync } from 'node:fs';
import { Signer } from '@aws-sdk/rds-signer';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import pg, { type QueryResultRow } from 'pg';
import type { Logger } from 'pino';
import type { DatabaseConfig } from './config.ts';
import { type IamPasswordOptions, iamPassword } from './db-auth.ts';
import { LogPartitionEntity } from './entities/log-partition.ts';
import { RetentionPolicyEntity } from './entities/retention-policy.ts';
import { migrationsList } from './migrations/index.ts';
import type { PartitionInterval } from './store/partition-ranges.ts';

/** PoolStats are the writer pool's gauges, exported on /metrics. */
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

/** Query runs SQL on one of the pools (see Database.query). */
export type Query = <Row extends QueryResultRow>(
  sql: string,
  params?: unknown[],
  options?: QueryOptions,
) => Promise<Row[]>;

/** Database is what routes and jobs need: the ORM, raw queries on the pools, pool gauges. */
export interface Database {
  orm: MikroORM;
  /** poolSize is how many connections request handlers may use at once (the in-flight cap). */
  poolSize: number;
  /** partitionInterval is the width of the log_event partitions made from now on. */
  partitionInterval: PartitionInterval;
  /**
   * query runs SQL on a connection to the writer. With `prepare`, the statement is a named
   * prepared statement, parsed (and its plan cached) once per connection instead of on every
   * call: for fixed, frequent statements whose best plan does not depend on the parameter values.
   */
  query: Query;
  /**
   * read runs a statement that only reads events on the read replica when one is configured
   * (on the writer otherwise). It sees the writer's commits after the replica's lag.
   */
  read: Query;
  /** readerHost is the read replica's host, undefined when reads go to the writer. */
  readerHost?: string;
  /** withLock runs work holding a session advisory lock on one writer connection. */
  withLock<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** pendingMigrations names the migrations not yet applied. */
  pendingMigrations(): Promise<string[]>;
  migrate(): Promise<string[]>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

/** maxPreparedStatements bounds the distinct statements prepared on each connection. */
const maxPreparedStatements = 200;

/** reservedConnections serve readiness probes and retention beside requests. */
const reservedConnections = 2;

/** ormConnections serve the migrations and the partition bookkeeping. */
const ormConnections = 2;

function sslOptions(config: DatabaseConfig): false | { rejectUnauthorized: boolean; ca?: string } {
  if (config.ssl === 'off') return false;
  if (config.ssl === 'require') return { rejectUnauthorized: false };
  return {
    rejectUnauthorized: true,
    ...(config.sslCaFile ? { ca: readFileSync(config.sslCaFile, 'utf8') } : {}),
  };
}

/**
 * OpenOptions: with IAM database authentication, the token signer and clock (tests pass a fake
 * of both; by default @aws-sdk/rds-signer for the config's host, port, user and region).
 */
export interface OpenOptions {
  iam?: Partial<IamPasswordOptions>;
}

type Password = string | (() => Promise<string>) | undefined;

function passwordOption(config: DatabaseConfig, options: OpenOptions = {}): Password {
  if (config.auth !== 'iam') return config.password;
  const signer =
    options.iam?.signer ??
    new Signer({
      hostname: config.host,
      port: config.port,
      username: config.user,
      ...(config.region ? { region: config.region } : {}),
    });
  return iamPassword({ ...options.iam, signer });
}

/** ormOptions builds the MikroORM configuration for one database. */
export function ormOptions(
  config: DatabaseConfig,
  logger?: Logger,
  password: Password = passwordOption(config),
): Options {
  const driverLog = (level: 'warn' | 'error' | 'debug') => (message: unknown) =>
    logger?.[level]({ component: 'knex', detail: String(message) }, 'database driver message');
  return {
    // the entities of the bookkeeping only: the events are read and written with SQL
    entities: [LogPartitionEntity, RetentionPolicyEntity],
    host: config.host,
    port: config.port,
    dbName: config.name,
    user: config.user,
    ...(typeof password === 'string' ? { password } : {}),
    pool: {
      min: 0,
      max: ormConnections,
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

/** poolOptions configures one of the hot-path pools, to the database config names. */
export function poolOptions(
  config: DatabaseConfig,
  max: number,
  logger?: Logger,
  password: Password = passwordOption(config),
): pg.PoolConfig {
  return {
    host: config.host,
    port: config.port,
    database: config.name,
    user: config.user,
    ...(password === undefined ? {} : { password }),
    ssl: sslOptions(config),
    max,
    idleTimeoutMillis: 30000,
    connectionTimeoutMillis: 5000,
    statement_timeout: 30000,
    application_name: 'log-service',
    log: (...messages: unknown[]) =>
      logger?.debug({ component: 'pg', detail: messages.join(' ') }, 'database driver message'),
  };
}

/** readerConfig is the writer's config pointed at the read replica, if one is configured. */
export function readerConfig(config: DatabaseConfig): DatabaseConfig | undefined {
  if (!config.read) return undefined;
  const { read, ...writer } = config;
  return { ...writer, ...read, port: read.port ?? writer.port };
}

/** openDatabase connects the ORM and the pools; it does not migrate (see Database.migrate). */
export async function openDatabase(
  config: DatabaseConfig,
  logger?: Logger,
  options: OpenOptions = {},
): Promise<Database> {
  // one token source for the writer's pools: one signing per refresh, not one per pool
  const password = passwordOption(config, options);
  let orm: MikroORM;
  try {
    orm = await MikroORM.init(ormOptions(config, logger, password));
  } catch (err) {
    throw new Error(`cannot open database ${config.name} at ${config.host}:${config.port}`, {
      cause: err,
    });
  }
  const writer = new pg.Pool(
    poolOptions(config, config.poolSize + reservedConnections, logger, password),
  );
  const reader = readerConfig(config);
  const readerPool = reader
    ? new pg.Pool(poolOptions(reader, config.poolSize, logger, passwordOption(reader, options)))
    : undefined;
  for (const pool of [writer, readerPool]) {
    // an idle client's error (a restarted server) would otherwise crash the process
    pool?.on('error', (err) => logger?.warn({ err }, 'idle database connection failed'));
  }

  const statementNames = new Map<string, string>();
  const statementName = (sql: string): string | undefined => {
    let name = statementNames.get(sql);
    if (name === undefined && statementNames.size < maxPreparedStatements) {
      name = `log_service_${statementNames.size + 1}`;
      statementNames.set(sql, name);
    }
    return name;
  };

  const queryOn =
    (pool: pg.Pool): Query =>
    async <Row extends QueryResultRow>(
      sql: string,
      params: unknown[] = [],
      options: QueryOptions = {},
    ) => {
      const name = options.prepare ? statementName(sql) : undefined;
      const result = await pool.query<Row>({
        text: sql,
        values: params,
        ...(name === undefined ? {} : { name }),
        ...(options.rowMode === undefined ? {} : { rowMode: options.rowMode }),
      } as pg.QueryConfig);
      return result.rows;
    };

  async function withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const connection = await writer.connect();
    try {
      await connection.query('select pg_advisory_lock(hashtext($1))', [name]);
      try {
        return await work();
      } finally {
        await connection.query('select pg_advisory_unlock(hashtext($1))', [name]);
      }
    } finally {
      connection.release();
    }
  }

  const query = queryOn(writer);
  return {
    orm,
    poolSize: config.poolSize,
    partitionInterval: config.partitionInterval,
    query,
    read: readerPool ? queryOn(readerPool) : query,
    ...(reader ? { readerHost: reader.host } : {}),
    withLock,
    async pendingMigrations() {
      const pending = await orm.getMigrator().getPendingMigrations();
      return pending.map((migration) => migration.name);
    },
    migrate() {
      return withLock('log-service:migrations', async () => {
        try {
          const applied = await orm.getMigrator().up();
          return applied.map((migration) => migration.name);
        } catch (err) {
          throw new Error(`cannot migrate database ${config.name}`, { cause: err });
        }
      });
    },
    poolStats() {
      return {
        max: config.poolSize + reservedConnections,
        used: writer.totalCount - writer.idleCount,
        free: writer.idleCount,
        pendingAcquires: writer.waitingCount,
      };
    },
    async close() {
      await Promise.all([writer.end(), readerPool?.end(), orm.close(true)]);
    },
  };
}
