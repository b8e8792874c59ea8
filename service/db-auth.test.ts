import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { iamPassword, TOKEN_LIFETIME_MS, type TokenSigner } from './db-auth.ts';

const MINUTE = 60_000;

/** FakeSigner hands out `token-<n>` (or `fixed`) and remembers when each was signed. */
class FakeSigner implements TokenSigner {
  signedAt: number[] = [];
  failing = false;
  constructor(
    private readonly clock: { now: number },
    private readonly fixed?: string,
  ) {}
  async getAuthToken(): Promise<string> {
    if (this.failing) throw new Error('no credentials');
    this.signedAt.push(this.clock.now);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return this.fixed ?? `token-${this.signedAt.length}`;
  }
}

test('iamPassword: one token until its refresh point, then one new one however many ask', async () => {
  const clock = { now: 0 };
  const signer = new FakeSigner(clock);
  const password = iamPassword({ signer, now: () => clock.now });
  assert.deepStrictEqual(await Promise.all([password(), password(), password()]), [
    'token-1',
    'token-1',
    'token-1',
  ]);
  clock.now = 9 * MINUTE;
  assert.equal(await password(), 'token-1');
  clock.now = 10 * MINUTE; // 5 minutes before the token expires
  assert.deepStrictEqual(await Promise.all([password(), password()]), ['token-2', 'token-2']);
  assert.deepStrictEqual(signer.signedAt, [0, 10 * MINUTE]);
});

test('iamPassword: a failed signing keeps the token while RDS still takes it, then fails', async () => {
  const clock = { now: 0 };
  const signer = new FakeSigner(clock);
  const password = iamPassword({ signer, now: () => clock.now });
  assert.equal(await password(), 'token-1');
  signer.failing = true;
  clock.now = 12 * MINUTE;
  assert.equal(await password(), 'token-1', 'still valid: used');
  clock.now = TOKEN_LIFETIME_MS;
  await assert.rejects(password(), /no credentials/);
  signer.failing = false;
  assert.equal(await password(), 'token-2');
});

const DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/reconciler_test';

test('a pool on IAM tokens under load across token expiries: no query fails, no expired token used', {
  timeout: 120_000,
}, async () => {
  // real PostgreSQL with password auth underneath: the fake signer's token is the password
  const url = new URL(DATABASE_URL);
  const clock = { now: 0 };
  const signer = new FakeSigner(clock, decodeURIComponent(url.password));
  const source = iamPassword({ signer, now: () => clock.now });
  const ages: number[] = [];
  const pool = new pg.Pool({
    host: url.hostname,
    port: Number(url.port || 5432),
    database: url.pathname.slice(1),
    user: decodeURIComponent(url.username),
    max: 4,
    // every query on a new connection: each asks for the password
    maxUses: 1,
    password: async () => {
      const token = await source();
      ages.push(clock.now - (signer.signedAt.at(-1) ?? 0));
      return token;
    },
  });
  try {
    const failures: unknown[] = [];
    // 40 simulated minutes, a minute per step, queries in flight while the clock moves
    for (let minute = 0; minute < 40; minute++) {
      clock.now = minute * MINUTE;
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => pool.query('SELECT $1::int AS n', [i])),
      );
      failures.push(...results.filter((r) => r.status === 'rejected'));
    }
    assert.deepStrictEqual(failures, []);
    assert.ok(ages.length >= 240, `${ages.length} connections`);
    assert.ok(
      ages.every((age) => age < TOKEN_LIFETIME_MS - 4 * MINUTE),
      `a connection got a token ${Math.max(...ages) / MINUTE} minutes old`,
    );
    // refreshed at minutes 10, 20, 30: four signings for 240 connections
    assert.deepStrictEqual(signer.signedAt, [0, 10 * MINUTE, 20 * MINUTE, 30 * MINUTE]);
  } finally {
    await pool.end();
  }
});
