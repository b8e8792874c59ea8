/**
 * Configuration of the service, read once from the environment at start and validated as a
 * whole, so a bad deployment fails at once with every problem listed instead of at first use.
 */

/** LogDestination says where request and application logs go. */
export type LogDestination = 'stdout' | 'cloudwatch';

/** DatabaseSsl is the TLS mode towards PostgreSQL: off, encrypted, or encrypted and verified. */
export type DatabaseSsl = 'off' | 'require' | 'verify-full';

/** DatabaseConfig describes how to reach PostgreSQL; `url` is absent when parts are given. */
export interface DatabaseConfig {
  url?: string;
  host: string;
  port: number;
  name: string;
  user: string;
  password?: string;
  /** auth is `iam` when a fresh RDS IAM token replaces the password on every connection. */
  auth: 'password' | 'iam';
  ssl: DatabaseSsl;
  /** sslCaFile is a PEM bundle (e.g. the RDS global bundle) used with `verify-full`. */
  sslCaFile?: string;
  poolSize: number;
  region?: string;
  /**
   * read is the read replica: queries that only read events go there. What it does not name
   * (database, user, password) is the writer's, as on an RDS read replica.
   */
  read?: { host: string; port?: number; name?: string; user?: string; password?: string };
  /** partitionInterval is the width of the log_event partitions made from now on. */
  partitionInterval: 'day' | 'hour';
  /**
   * masterSecretArn is the database's master secret: with it the service migrates and sets up
   * its user (`user`) at start as the master, then connects as that user only (db-setup.ts).
   */
  masterSecretArn?: string;
}

/** ServiceConfig is everything the service reads from the environment. */
export interface ServiceConfig {
  port: number;
  /** database is undefined when nothing names a database: main then starts an embedded one. */
  database?: DatabaseConfig;
  logLevel: string;
  logDestination: LogDestination;
  logGroup?: string;
  logStream?: string;
  retentionDays: number;
  retentionIntervalSeconds: number;
  /** ingestMaxFutureSeconds is how far ahead of the clock an event's time may be. */
  ingestMaxFutureSeconds: number;
  migrateOnStart: boolean;
  /** queueLimit is how many requests may wait for a database slot before 429 is answered. */
  queueLimit: number;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  /** dataDir holds the embedded PostgreSQL cluster when no database is configured. */
  dataDir: string;
  embeddedPort: number;
}

/** ConfigError lists every invalid or missing variable found in one pass. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

type Env = Record<string, string | undefined>;

function integer(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
    return fallback;
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  problems.push(`${name} must be true or false, got '${env[name]}'`);
  return fallback;
}

function ssl(env: Env, problems: string[]): DatabaseSsl {
  const raw = env.DB_SSL?.trim().toLowerCase();
  if (raw === undefined || raw === '' || ['0', 'false', 'off', 'disable'].includes(raw))
    return 'off';
  if (['1', 'true', 'on', 'require'].includes(raw)) return 'require';
  if (raw === 'verify-full') return 'verify-full';
  problems.push(`DB_SSL must be one of true, require, verify-full or false, got '${env.DB_SSL}'`);
  return 'off';
}

/**
 * readReplica reads DATABASE_READ_URL, or DB_READ_HOST / DB_READ_HOST_1 ... DB_READ_HOST_<n>
 * and DB_READ_PORT (default: the writer's port). With several hosts, each process reads from
 * one, picked by its pid, so a service's tasks spread over the replicas.
 */
function readReplica(env: Env, problems: string[]): DatabaseConfig['read'] {
  const url = env.DATABASE_READ_URL?.trim();
  if (url) {
    try {
      const parsed = new URL(url);
      if (!parsed.hostname) throw new Error('no host');
      const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
      return {
        host: parsed.hostname,
        ...(parsed.port ? { port: Number(parsed.port) } : {}),
        ...(name ? { name } : {}),
        ...(parsed.username ? { user: decodeURIComponent(parsed.username) } : {}),
        ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
      };
    } catch {
      problems.push('DATABASE_READ_URL is not a valid URL');
      return undefined;
    }
  }
  const hosts = Object.entries(env)
    .filter(([name, value]) => /^DB_READ_HOST(_\d+)?$/.test(name) && value?.trim())
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([, value]) => value!.trim());
  if (hosts.length === 0) return undefined;
  const host = hosts[process.pid % hosts.length]!;
  if (!env.DB_READ_PORT) return { host };
  return { host, port: integer(env, 'DB_READ_PORT', 5432, 1, 65535, problems) };
}

function database(env: Env, problems: string[]): DatabaseConfig | undefined {
  const url = env.DATABASE_URL?.trim();
  const hasParts = Boolean(env.DB_HOST?.trim());
  if (!url && !hasParts) return undefined;
  const auth = (env.DB_AUTH?.trim() || 'password').toLowerCase();
  if (auth !== 'password' && auth !== 'iam') {
    problems.push(`DB_AUTH must be password or iam, got '${env.DB_AUTH}'`);
  }
  const interval = (env.PARTITION_INTERVAL?.trim() || 'day').toLowerCase();
  if (interval !== 'day' && interval !== 'hour') {
    problems.push(`PARTITION_INTERVAL must be day or hour, got '${env.PARTITION_INTERVAL}'`);
  }
  const read = readReplica(env, problems);
  const masterSecretArn = env.DB_MASTER_SECRET_ARN?.trim();
  if (masterSecretArn && !masterSecretArn.startsWith('arn:')) {
    problems.push(`DB_MASTER_SECRET_ARN must be a Secrets Manager ARN, got '${masterSecretArn}'`);
  }
  const common = {
    ...(masterSecretArn ? { masterSecretArn } : {}),
    partitionInterval: interval === 'hour' ? ('hour' as const) : ('day' as const),
    ...(read ? { read } : {}),
    auth: auth === 'iam' ? ('iam' as const) : ('password' as const),
    ssl: ssl(env, problems),
    poolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 200, problems),
    ...(env.DB_SSL_CA ? { sslCaFile: env.DB_SSL_CA } : {}),
    ...(env.AWS_REGION || env.AWS_DEFAULT_REGION
      ? { region: env.AWS_REGION || env.AWS_DEFAULT_REGION }
      : {}),
  };
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      problems.push('DATABASE_URL is not a valid URL');
      return undefined;
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      problems.push(`DATABASE_URL must start with postgres://, got '${parsed.protocol}//'`);
    }
    const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (!name) problems.push('DATABASE_URL must name a database');
    const password = parsed.password ? decodeURIComponent(parsed.password) : env.DB_PASSWORD;
    return {
      url,
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : 5432,
      name,
      user: decodeURIComponent(parsed.username) || env.DB_USER || 'postgres',
      ...(password ? { password } : {}),
      ...common,
    };
  }
  for (const name of ['DB_NAME', 'DB_USER']) {
    if (!env[name]?.trim()) problems.push(`${name} is required when DB_HOST is set`);
  }
  if (common.auth === 'password' && !env.DB_PASSWORD) {
    problems.push('DB_PASSWORD is required when DB_HOST is set and DB_AUTH is not iam');
  }
  if (common.auth === 'iam' && !common.region) {
    problems.push('AWS_REGION is required when DB_AUTH is iam');
  }
  return {
    host: env.DB_HOST!.trim(),
    port: integer(env, 'DB_PORT', 5432, 1, 65535, problems),
    name: env.DB_NAME?.trim() ?? '',
    user: env.DB_USER?.trim() ?? '',
    ...(env.DB_PASSWORD ? { password: env.DB_PASSWORD } : {}),
    ...common,
  };
}

/** loadConfig reads and validates the environment; it throws a ConfigError naming each problem. */
export function loadConfig(env: Env = process.env): ServiceConfig {
  const problems: string[] = [];
  const logLevel = (env.LOG_LEVEL?.trim() || 'info').toLowerCase();
  if (!logLevels.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')}, got '${env.LOG_LEVEL}'`);
  }
  const logDestination = (env.LOG_DESTINATION?.trim() || 'stdout').toLowerCase();
  if (logDestination !== 'stdout' && logDestination !== 'cloudwatch') {
    problems.push(`LOG_DESTINATION must be stdout or cloudwatch, got '${env.LOG_DESTINATION}'`);
  }
  if (logDestination === 'cloudwatch' && !env.LOG_GROUP?.trim()) {
    problems.push('LOG_GROUP is required when LOG_DESTINATION is cloudwatch');
  }
  const config: ServiceConfig = {
    port: integer(env, 'PORT', 3000, 0, 65535, problems),
    logLevel,
    logDestination: logDestination === 'cloudwatch' ? 'cloudwatch' : 'stdout',
    retentionDays: integer(env, 'RETENTION_DAYS', 30, 1, 36500, problems),
    retentionIntervalSeconds: integer(env, 'RETENTION_INTERVAL_SECONDS', 600, 1, 86400, problems),
    ingestMaxFutureSeconds: integer(
      env,
      'INGEST_MAX_FUTURE_SECONDS',
      7200,
      60,
      31_536_000,
      problems,
    ),
    migrateOnStart: boolean(env, 'MIGRATE_ON_START', true, problems),
    queueLimit: integer(env, 'QUEUE_LIMIT', 200, 0, 100000, problems),
    bodyLimitBytes: integer(
      env,
      'BODY_LIMIT_BYTES',
      5 * 1024 * 1024,
      1024,
      100 * 1024 * 1024,
      problems,
    ),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 600000, problems),
    dataDir: env.DATA_DIR?.trim() || '.data/postgres',
    embeddedPort: integer(env, 'EMBEDDED_PG_PORT', 5488, 1, 65535, problems),
  };
  const databaseConfig = database(env, problems);
  if (databaseConfig) config.database = databaseConfig;
  if (env.LOG_GROUP?.trim()) config.logGroup = env.LOG_GROUP.trim();
  if (env.LOG_STREAM?.trim()) config.logStream = env.LOG_STREAM.trim();
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
