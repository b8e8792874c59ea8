import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownerRole, setupServiceUserSql } from './db-setup.ts';

test('setupServiceUserSql: creates only what is missing, quotes every name', () => {
  const fresh = setupServiceUserSql('logs_service', {
    userExists: false,
    ownerExists: false,
    tablesToOwn: ['log_event', 'log_partition'],
  });
  assert.deepStrictEqual(fresh.slice(0, 3), [
    'create role "logs_service_owner" nologin',
    'create role "logs_service" login',
    'grant rds_iam to "logs_service"',
  ]);
  assert.ok(fresh.includes('alter table "log_event" owner to "logs_service_owner"'));
  assert.ok(fresh.includes('alter role "logs_service" set role "logs_service_owner"'));
  const again = setupServiceUserSql('logs_service', {
    userExists: true,
    ownerExists: true,
    tablesToOwn: [],
  });
  assert.equal(
    again.some((sql) => sql.startsWith('create role') || sql.startsWith('alter table')),
    false,
  );
  assert.equal(ownerRole('logs_service'), 'logs_service_owner');
});

test('setupServiceUserSql: a user name outside the spec format is refused', () => {
  for (const user of ['Logs', 'logs"; drop table log_event; --', '1logs', 'a'.repeat(58), '']) {
    assert.throws(
      () => setupServiceUserSql(user, { userExists: false, ownerExists: false, tablesToOwn: [] }),
      /DB_USER .* must be lowercase letters, digits and underscores/,
      user,
    );
  }
});
