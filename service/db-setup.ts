/**
 * The start-up step of IAM database authentication: with the master credentials, read once from
 * Secrets Manager, migrate and make the service's database user; then close the master
 * connection, so every later connection is the service user's on IAM tokens (db-auth.ts).
 *
 * Ownership: partition upkeep (create, attach, detach, drop) is DDL, which PostgreSQL allows
 * the owner only. The service's tables therefore belong to a NOLOGIN role `<user>_owner`; the
 * service user is a member and starts every session as it (ALTER ROLE ... SET role), so the
 * partitions it makes belong to that role too and the master, also a member, can still migrate
 * them. The service user owns nothing, cannot log in without a token, and reaches no other
 * table: the migrations' bookkeeping table stays the master's, readable by the owner role.
 * Every statement is idempotent: a second start, or several tasks at once (under an advisory
 * lock), changes nothing.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { escapeIdentifier } from 'pg';
import type { Logger } from 'pino';
import type { DatabaseConfig } from './config.ts';
import { type Database, openDatabase } from './db.ts';

/** MasterCredentials are the `username` and `password` of an RDS master secret. */
export interface MasterCredentials {
  username: string;
  password: string;
}

/** SecretReader is the part of SecretsManagerClient the setup uses. */
export interface SecretReader {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string }>;
}

/** ROLE_NAME: what the setup accepts as a user name (the spec's serviceUser format). */
const ROLE_NAME = /^[a-z][a-z0-9_]{0,56}$/;

/** ownerRole is the NOLOGIN role owning the service's tables. */
export function ownerRole(user: string): string {
  return `${user}_owner`;
}

/** readMasterSecret reads and checks the master credentials of the secret with this ARN. */
export async function readMasterSecret(
  secretArn: string,
  client: SecretReader,
): Promise<MasterCredentials> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(SecretString ?? '');
  } catch {
    throw new Error(`secret ${secretArn} is not JSON with username and password`);
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || !username || typeof password !== 'string' || !password) {
    throw new Error(`secret ${secretArn} has no username and password`);
  }
  return { username, password };
}

/**
 * setupServiceUserSql returns the statements that make `user` a token-only member of the owner
 * role, with the rights the service needs and no other; the table ownership is passed in
 * (the tables not yet the owner role's, except the migrations' table).
 */
export function setupServiceUserSql(
  user: string,
  state: { userExists: boolean; ownerExists: boolean; tablesToOwn: string[] },
): string[] {
  if (!ROLE_NAME.test(user)) {
    throw new Error(
      `DB_USER '${user}' must be lowercase letters, digits and underscores, starting with a letter, at most 57 characters`,
    );
  }
  const u = escapeIdentifier(user);
  const o = escapeIdentifier(ownerRole(user));
  return [
    ...(state.ownerExists ? [] : [`create role ${o} nologin`]),
    ...(state.userExists ? [] : [`create role ${u} login`]),
    `grant rds_iam to ${u}`,
    // the master must be a member to hand its tables over and to migrate them later
    `grant ${o} to current_user`,
    `grant ${o} to ${u}`,
    // every session of the service user acts as the owner role: its partitions are the role's
    `alter role ${u} set role ${o}`,
    `grant usage, create on schema public to ${o}`,
    ...state.tablesToOwn.map((table) => `alter table ${escapeIdentifier(table)} owner to ${o}`),
    `grant select, insert, update, delete on all tables in schema public to ${o}`,
    `grant usage, select on all sequences in schema public to ${o}`,
    // what later migrations create (as the master) is usable at once
    `alter default privileges in schema public grant select, insert, update, delete on tables to ${o}`,
    `alter default privileges in schema public grant usage, select on sequences to ${o}`,
  ];
}

/** setupServiceUser runs setupServiceUserSql on a database opened as the master. */
export async function setupServiceUser(master: Database, user: string): Promise<void> {
  const [iam] = await master.query<{ n: number }>(
    `select count(*)::int as n from pg_roles where rolname = 'rds_iam'`,
  );
  if (!iam?.n) {
    throw new Error('role rds_iam does not exist: IAM authentication is not on for this database');
  }
  const roles = await master.query<{ rolname: string }>(
    'select rolname from pg_roles where rolname = any($1)',
    [[user, ownerRole(user)]],
  );
  const tables = await master.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname <> 'mikro_orm_migrations'
       and pg_get_userbyid(c.relowner) <> $1 order by c.relname`,
    [ownerRole(user)],
  );
  const names = new Set(roles.map((role) => role.rolname));
  const sql = setupServiceUserSql(user, {
    userExists: names.has(user),
    ownerExists: names.has(ownerRole(user)),
    tablesToOwn: tables.map((table) => table.name),
  });
  for (const statement of sql) await master.query(statement);
}

/** PrepareOptions: where the master secret is, and for tests the client reading it. */
export interface PrepareOptions {
  masterSecretArn: string;
  secrets?: SecretReader;
  logger?: Logger;
}

/**
 * prepareDatabase migrates as the master and sets up the service user (config.user), then
 * closes the master's connections; it returns the migrations applied.
 */
export async function prepareDatabase(
  config: DatabaseConfig,
  options: PrepareOptions,
): Promise<string[]> {
  const own = options.secrets
    ? undefined
    : new SecretsManagerClient(config.region ? { region: config.region } : {});
  let master: MasterCredentials;
  try {
    master = await readMasterSecret(options.masterSecretArn, options.secrets ?? own!);
  } finally {
    own?.destroy();
  }
  const { read: _replica, ...writer } = config;
  const db = await openDatabase(
    { ...writer, auth: 'password', user: master.username, password: master.password, poolSize: 1 },
    options.logger,
  );
  try {
    return await db.withLock('log-service:setup', async () => {
      const applied = await db.migrate();
      await setupServiceUser(db, config.user);
      options.logger?.info({ applied, user: config.user }, 'database user set up');
      return applied;
    });
  } finally {
    await db.close();
  }
}
