/**
 * IAM database authentication of the service on a real PostgreSQL, with the master secret in the
 * local cloud's Secrets Manager: the start-up step creates the service user, its rds_iam
 * membership and its rights, a second start changes nothing, and the service then ingests,
 * queries and drops expired partitions as that user, on tokens from a fake signer whose clock
 * passes several token expiries while requests are in flight, without a failed request.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import pg from 'pg';
import { loadConfig } from '../service/config.ts';
import { openDatabase } from '../service/db.ts';
import { TOKEN_LIFETIME_MS, type TokenSigner } from '../service/db-auth.ts';
import { ownerRole, prepareDatabase } from '../service/db-setup.ts';
import { runRetention } from '../service/retention.ts';
import {
  createTestDatabase,
  postLogs,
  serveApp,
  type TestDatabase,
} from './fixtures/service/harness.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const MINUTE = 60_000;
// roles are the server's, not the database's: one name per run
const USER = `logs_iam_${process.pid}`;
const TOKEN = `token-password-${process.pid}`;

let moto: MotoServer;
let database: TestDatabase;
let admin: pg.Client;
let secretArn: string;

/** the service's configuration as the task definition gives it: IAM auth, the secret's ARN */
function serviceConfig() {
  const url = new URL(database.url);
  return loadConfig({
    DB_HOST: url.hostname,
    DB_PORT: url.port || '5432',
    DB_NAME: url.pathname.slice(1),
    DB_USER: USER,
    DB_AUTH: 'iam',
    AWS_REGION: 'us-west-2',
    DB_MASTER_SECRET_ARN: secretArn,
    DB_POOL_SIZE: '4',
  }).database!;
}

/** the roles, memberships, ownerships and rights the setup touches, to compare two starts */
async function grantsState(): Promise<unknown> {
  const { rows } = await admin.query(
    `select
       (select json_agg(json_build_object('role', rolname, 'login', rolcanlogin, 'config', rolconfig) order by rolname)
          from pg_roles where rolname in ($1, $2)) as roles,
       (select json_agg(json_build_object('role', pg_get_userbyid(roleid), 'member', pg_get_userbyid(member)) order by 1, 2)
          from pg_auth_members where member in (select oid from pg_roles where rolname in ($1, $2))) as members,
       (select json_agg(json_build_object('table', relname, 'owner', pg_get_userbyid(relowner), 'acl', relacl::text) order by relname)
          from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p', 'S')) as tables,
       (select json_agg(defaclacl::text order by defaclobjtype) from pg_default_acl) as defaults`,
    [USER, ownerRole(USER)],
  );
  return rows[0];
}

before(async () => {
  moto = await startMoto();
  database = await createTestDatabase('iam_auth');
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  // a stand-in for RDS's rds_iam role, which a local PostgreSQL does not have
  const { rows } = await admin.query(`select 1 from pg_roles where rolname = 'rds_iam'`);
  if (rows.length === 0) await admin.query('create role rds_iam nologin');
  const url = new URL(database.url);
  const secrets = new SecretsManagerClient({ region: 'us-west-2', endpoint: moto.endpoint });
  try {
    const created = await secrets.send(
      new CreateSecretCommand({
        Name: `rds!db-iam-${process.pid}`,
        SecretString: JSON.stringify({
          username: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
        }),
      }),
    );
    secretArn = created.ARN!;
  } finally {
    secrets.destroy();
  }
});

after(async () => {
  await admin?.end();
  await database?.drop();
  // on a shared server the roles outlive the database (an embedded one goes with it); the
  // stand-in rds_iam stays, as other runs may use it
  if (process.env.DATABASE_URL) {
    const cleanup = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await cleanup.connect();
    await cleanup.query(`drop role if exists ${USER}`);
    await cleanup.query(`drop role if exists ${ownerRole(USER)}`);
    await cleanup.end();
  }
  await moto?.stop();
});

test('the start-up step makes the service user once: rds_iam, owner role, rights', {
  timeout: 300_000,
}, async () => {
  const applied = await prepareDatabase(serviceConfig(), { masterSecretArn: secretArn });
  assert.ok(applied.length > 0, 'the migrations ran as the master');
  const { rows } = await admin.query(
    `select r.rolcanlogin as login, r.rolsuper as super,
       pg_has_role($1, 'rds_iam', 'member') as iam,
       pg_has_role($1, $2, 'member') as owner_member,
       has_schema_privilege($1, 'public', 'usage') as schema_usage,
       has_table_privilege($1, 'log_event', 'select, insert, update, delete') as dml,
       has_table_privilege($1, 'mikro_orm_migrations', 'select') as migrations_read,
       pg_get_userbyid((select relowner from pg_class where relname = 'log_event')) as event_owner,
       pg_get_userbyid((select relowner from pg_class where relname = 'mikro_orm_migrations')) as migrations_owner,
       r.rolconfig as config
     from pg_roles r where r.rolname = $1`,
    [USER, ownerRole(USER)],
  );
  const master = decodeURIComponent(new URL(database.url).username);
  assert.deepStrictEqual(rows, [
    {
      login: true,
      super: false,
      iam: true,
      owner_member: true,
      schema_usage: true,
      dml: true,
      migrations_read: true,
      event_owner: ownerRole(USER),
      migrations_owner: master,
      config: [`role=${ownerRole(USER)}`],
    },
  ]);
  const first = await grantsState();
  assert.deepStrictEqual(
    await prepareDatabase(serviceConfig(), { masterSecretArn: secretArn }),
    [],
    'a second start applies nothing',
  );
  assert.deepStrictEqual(await grantsState(), first, 'and changes no role or right');
});

/** FakeSigner signs the stand-in token (the service user's local password) on a fake clock. */
class FakeSigner implements TokenSigner {
  signedAt: number[] = [];
  constructor(private readonly clock: { now: number }) {}
  async getAuthToken(): Promise<string> {
    this.signedAt.push(this.clock.now);
    return TOKEN;
  }
}

test('the service as its user on IAM tokens: ingest and query under load across token expiries, retention', {
  timeout: 600_000,
}, async () => {
  // locally the token is checked as a password: RDS checks it against IAM instead
  await admin.query(`alter role ${USER} password '${TOKEN}'`);
  const clock = { now: 0 };
  const signer = new FakeSigner(clock);
  const db = await openDatabase(serviceConfig(), undefined, {
    iam: { signer, now: () => clock.now },
  });
  const connected = new Set<number>();
  const running = await serveApp({ db });
  try {
    const [who] = await db.query<{ session: string; acting: string }>(
      'select session_user as session, current_user as acting',
    );
    assert.deepStrictEqual(who, { session: USER, acting: ownerRole(USER) });
    const failures: string[] = [];
    // 40 simulated minutes; every minute the server drops the user's idle connections (as a
    // failover would), so the next requests connect again and ask for a token
    for (let minute = 0; minute < 40; minute++) {
      clock.now = minute * MINUTE;
      const requests = [
        ...Array.from({ length: 6 }, (_, i) =>
          postLogs(running.baseUrl, [
            { service: 'iam', level: 'info', message: `minute ${minute} request ${i}` },
          ]).then((response) => (response.status === 202 ? undefined : `POST ${response.status}`)),
        ),
        fetch(`${running.baseUrl}/v1/logs?service=iam&limit=5`).then((response) =>
          response.ok ? undefined : `GET ${response.status}`,
        ),
      ];
      for (const failure of await Promise.all(requests)) if (failure) failures.push(failure);
      const { rows } = await admin.query<{ pid: number }>(
        `select pg_terminate_backend(pid) as killed, pid from pg_stat_activity
         where usename = $1 and state = 'idle'`,
        [USER],
      );
      for (const row of rows) connected.add(row.pid);
      await waitForNoIdle();
    }
    assert.deepStrictEqual(failures, []);
    assert.ok(connected.size >= 40, `${connected.size} connections were opened`);
    // every minute's connections took a token signed at most 10 minutes before: refreshed
    // five minutes ahead of each 15-minute expiry, one signing for all of them
    assert.deepStrictEqual(signer.signedAt, [0, 10 * MINUTE, 20 * MINUTE, 30 * MINUTE]);
    assert.ok(30 * MINUTE + TOKEN_LIFETIME_MS > clock.now, 'the last token outlived the load');

    const [stored] = await db.query<{ n: number }>(
      `select count(*)::int as n from log_event where service = 'iam'`,
    );
    assert.equal(stored?.n, 240, 'every event stored and read back as the user');

    // an old day: its partition is made on demand as the user, then dropped by retention
    const old = await postLogs(running.baseUrl, [
      { service: 'iam', level: 'info', message: 'old', timestamp: '2024-02-10T12:00:00Z' },
    ]);
    assert.equal(old.status, 202);
    const result = await runRetention(db, { retentionDays: 30 });
    assert.ok(result.dropped.includes('log_event_p20240210'), `dropped ${result.dropped}`);
  } finally {
    await running.close();
    await db.close();
  }
});

async function waitForNoIdle(): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { rows } = await admin.query(
      `select count(*)::int as n from pg_stat_activity where usename = $1`,
      [USER],
    );
    if (rows[0].n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // let the pools read the termination notices and drop those clients
  await new Promise((resolve) => setTimeout(resolve, 100));
}
