import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

test('loadConfig reads the database from DATABASE_URL or from its parts', () => {
  const cases = [
    {
      reason: 'a URL',
      env: { DATABASE_URL: 'postgres://app:s%40cret@db.internal:6543/logs' },
      expected: {
        host: 'db.internal',
        port: 6543,
        name: 'logs',
        user: 'app',
        password: 's@cret',
        auth: 'password',
        ssl: 'off',
      },
    },
    {
      reason: 'parts with the password from the secret and TLS',
      env: {
        DB_HOST: 'rds.example',
        DB_NAME: 'logs',
        DB_USER: 'app',
        DB_PASSWORD: 'pw',
        DB_SSL: 'true',
      },
      expected: {
        host: 'rds.example',
        port: 5432,
        name: 'logs',
        user: 'app',
        password: 'pw',
        auth: 'password',
        ssl: 'require',
      },
    },
    {
      reason: 'IAM authentication needs no password',
      env: {
        DB_HOST: 'rds.example',
        DB_PORT: '5433',
        DB_NAME: 'logs',
        DB_USER: 'app',
        DB_AUTH: 'iam',
        AWS_REGION: 'us-west-2',
        DB_SSL: 'verify-full',
      },
      expected: {
        host: 'rds.example',
        port: 5433,
        name: 'logs',
        user: 'app',
        auth: 'iam',
        ssl: 'verify-full',
      },
    },
  ];
  for (const { reason, env, expected } of cases) {
    const database = loadConfig(env).database;
    assert.ok(database, reason);
    const { host, port, name, user, password, auth, ssl } = database;
    const picked = { host, port, name, user, ...(password ? { password } : {}), auth, ssl };
    assert.deepStrictEqual(picked, expected, reason);
  }
});

test('loadConfig has defaults and no database when nothing names one', () => {
  const config = loadConfig({});
  assert.deepStrictEqual(
    [config.port, config.logLevel, config.retentionDays, config.migrateOnStart, config.database],
    [3000, 'info', 30, true, undefined],
  );
});

test('loadConfig lists every problem at once', () => {
  const cases = [
    {
      reason: 'bad numbers and enums',
      env: { PORT: 'eighty', RETENTION_DAYS: '0', LOG_LEVEL: 'loud', MIGRATE_ON_START: 'maybe' },
      problems: [
        "LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got 'loud'",
        "PORT must be an integer from 0 to 65535, got 'eighty'",
        "RETENTION_DAYS must be an integer from 1 to 36500, got '0'",
        "MIGRATE_ON_START must be true or false, got 'maybe'",
      ],
    },
    {
      reason: 'incomplete database parts',
      env: { DB_HOST: 'db' },
      problems: [
        'DB_NAME is required when DB_HOST is set',
        'DB_USER is required when DB_HOST is set',
        'DB_PASSWORD is required when DB_HOST is set and DB_AUTH is not iam',
      ],
    },
    {
      reason: 'cloudwatch without a group, a non-postgres URL',
      env: { LOG_DESTINATION: 'cloudwatch', DATABASE_URL: 'mysql://x/y' },
      problems: [
        'LOG_GROUP is required when LOG_DESTINATION is cloudwatch',
        "DATABASE_URL must start with postgres://, got 'mysql://'",
      ],
    },
  ];
  for (const { reason, env, problems } of cases) {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, reason);
        assert.deepStrictEqual(err.problems, problems, reason);
        return true;
      },
    );
  }
});

test('loadConfig reads the read replica and the partition interval', () => {
  const writer = { DATABASE_URL: 'postgres://app:pw@writer.internal:6543/logs' };
  const cases: Array<{
    reason: string;
    env: Record<string, string>;
    read: unknown;
    interval: string;
  }> = [
    { reason: 'no replica', env: writer, read: undefined, interval: 'day' },
    {
      reason: 'one host: the writer port, database and credentials',
      env: { ...writer, DB_READ_HOST: 'reader.internal', PARTITION_INTERVAL: 'hour' },
      read: { host: 'reader.internal' },
      interval: 'hour',
    },
    {
      reason: 'numbered hosts: one of them',
      env: { ...writer, DB_READ_HOST_1: 'r1.internal', DB_READ_HOST_2: 'r2.internal' },
      read: { host: ['r1.internal', 'r2.internal'][process.pid % 2] },
      interval: 'day',
    },
    {
      reason: 'a URL naming its own database',
      env: { ...writer, DATABASE_READ_URL: 'postgres://reader.internal:5433/logs_copy' },
      read: { host: 'reader.internal', port: 5433, name: 'logs_copy' },
      interval: 'day',
    },
  ];
  for (const { reason, env, read, interval } of cases) {
    const database = loadConfig(env).database!;
    assert.deepStrictEqual([database.read, database.partitionInterval], [read, interval], reason);
  }
  assert.throws(
    () =>
      loadConfig({ ...writer, PARTITION_INTERVAL: 'week', DB_READ_HOST: 'r', DB_READ_PORT: 'x' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.problems.join('\n') ===
        "PARTITION_INTERVAL must be day or hour, got 'week'\nDB_READ_PORT must be an integer from 1 to 65535, got 'x'",
  );
});

test('loadConfig: DB_MASTER_SECRET_ARN is kept as an ARN, anything else is refused', () => {
  const env = {
    DB_HOST: 'rds.example',
    DB_NAME: 'logs',
    DB_USER: 'logs_service',
    DB_AUTH: 'iam',
    AWS_REGION: 'us-west-2',
  };
  const arn = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!db-1-AbCdEf';
  assert.equal(loadConfig({ ...env, DB_MASTER_SECRET_ARN: arn }).database?.masterSecretArn, arn);
  assert.equal(loadConfig(env).database?.masterSecretArn, undefined);
  assert.throws(
    () => loadConfig({ ...env, DB_MASTER_SECRET_ARN: 'hunter2' }),
    /DB_MASTER_SECRET_ARN must be a Secrets Manager ARN, got 'hunter2'/,
  );
});
