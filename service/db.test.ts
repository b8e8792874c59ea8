import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './config.ts';
import { ormOptions } from './db.ts';

interface ConnectionOptions {
  password?: string | (() => Promise<string>);
  ssl?: unknown;
}

function connectionOf(env: Record<string, string>): ConnectionOptions {
  const options = ormOptions(loadConfig(env).database!);
  return (options.driverOptions as { connection: ConnectionOptions }).connection;
}

test('DB_AUTH=iam signs a fresh RDS token as the password of each connection', async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  const connection = connectionOf({
    DB_HOST: 'logs.abc.us-west-2.rds.amazonaws.com',
    DB_NAME: 'logs',
    DB_USER: 'app',
    DB_AUTH: 'iam',
    AWS_REGION: 'us-west-2',
    DB_SSL: 'require',
  });
  assert.equal(typeof connection.password, 'function');
  const token = await (connection.password as () => Promise<string>)();
  const url = new URL(`https://${token}`);
  assert.deepStrictEqual(
    [
      url.host,
      url.searchParams.get('Action'),
      url.searchParams.get('DBUser'),
      url.searchParams.has('X-Amz-Signature'),
    ],
    ['logs.abc.us-west-2.rds.amazonaws.com:5432', 'connect', 'app', true],
  );
  assert.deepStrictEqual(connection.ssl, { rejectUnauthorized: false });
});

test('password authentication passes the password through and TLS stays off unless asked', () => {
  const options = ormOptions(
    loadConfig({ DATABASE_URL: 'postgres://app:pw@db:5432/logs' }).database!,
  );
  const connection = (options.driverOptions as { connection: ConnectionOptions }).connection;
  assert.deepStrictEqual(
    [options.password, connection.password, connection.ssl],
    ['pw', undefined, false],
  );
});
