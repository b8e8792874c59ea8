import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DbReplicaProperties, dbReplicaHandler, normalizeDbReplica } from './db-replica.ts';

const properties: DbReplicaProperties = {
  identifier: 'demo-db-replica-1',
  sourceIdentifier: 'demo-db',
  instanceClass: 'db.t4g.micro',
  vpcSecurityGroupIds: ['sg-b', 'sg-a'],
  iamDatabaseAuthentication: false,
  deletionProtection: false,
};

test('normalizeDbReplica reads the replica with its source, groups being removed left out', () => {
  assert.deepStrictEqual(
    normalizeDbReplica({
      DBInstanceIdentifier: 'demo-db-replica-1',
      ReadReplicaSourceDBInstanceIdentifier: 'demo-db',
      DBInstanceClass: 'db.t4g.micro',
      VpcSecurityGroups: [
        { VpcSecurityGroupId: 'sg-b', Status: 'active' },
        { VpcSecurityGroupId: 'sg-old', Status: 'removing' },
        { VpcSecurityGroupId: 'sg-a', Status: 'active' },
      ],
    }),
    { ...properties, vpcSecurityGroupIds: ['sg-a', 'sg-b'] },
  );
});

test('db-replica diff: a new source or identifier replaces, class and groups change in place', () => {
  const cases: Array<[string, Partial<DbReplicaProperties>, Array<[string, boolean]>]> = [
    ['same, groups in another order', { vpcSecurityGroupIds: ['sg-a', 'sg-b'] }, []],
    ['another class', { instanceClass: 'db.r7g.large' }, [['instanceClass', false]]],
    ['another source', { sourceIdentifier: 'other-db' }, [['sourceIdentifier', true]]],
    [
      'IAM authentication',
      { iamDatabaseAuthentication: true },
      [['iamDatabaseAuthentication', false]],
    ],
  ];
  for (const [reason, change, expected] of cases) {
    const changes = dbReplicaHandler.diff({ ...properties, ...change }, properties, {}, {});
    assert.deepStrictEqual(
      changes.map((c) => [c.path, c.forcesReplacement]),
      expected,
      reason,
    );
  }
});
