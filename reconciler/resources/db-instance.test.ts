import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type DbInstanceProperties,
  dbInstanceHandler,
  dbInstanceStatus,
  dbInstanceVerdict,
  type ExplainedFieldChange,
  finalSnapshotIdentifier,
} from './db-instance.ts';

function properties(): DbInstanceProperties {
  return {
    identifier: 'demo-db',
    engine: 'postgres',
    engineVersion: '16.4',
    instanceClass: 'db.t4g.micro',
    allocatedStorage: 20,
    storageType: 'gp3',
    storageEncrypted: true,
    publiclyAccessible: false,
    manageMasterUserPassword: true,
    masterUsername: 'app',
    dbName: 'app',
    dbSubnetGroupName: 'demo-db',
    vpcSecurityGroupIds: ['sg-db'],
    multiAz: false,
    backupRetentionPeriod: 7,
    enableCloudwatchLogsExports: ['postgresql', 'upgrade'],
    iamDatabaseAuthentication: false,
    deletionProtection: true,
    copyTagsToSnapshot: true,
  };
}

type Mutator = (properties: DbInstanceProperties) => void;

test('db-instance diff: replacement rules and their reasons', () => {
  const cases: {
    reason: string;
    desired?: Mutator;
    observed?: Mutator;
    expected: [string, boolean, string?][];
  }[] = [
    { reason: 'identical: no change', expected: [] },
    {
      reason: 'a major version change replaces, and says why',
      desired: (p) => {
        p.engineVersion = '17.1';
      },
      expected: [['engineVersion', true, 'engine major version 16 -> 17 forces replacement']],
    },
    {
      reason: 'a major-only desired version across majors replaces too',
      desired: (p) => {
        p.engineVersion = '17';
      },
      expected: [['engineVersion', true, 'engine major version 16 -> 17 forces replacement']],
    },
    {
      reason: 'a minor upgrade is in place',
      desired: (p) => {
        p.engineVersion = '16.6';
      },
      expected: [['engineVersion', false, 'engine minor version upgrade 16.4 -> 16.6 in place']],
    },
    {
      reason: 'a minor version above 9 compares numerically, not as text',
      desired: (p) => {
        p.engineVersion = '16.10';
      },
      observed: (p) => {
        p.engineVersion = '16.9';
      },
      expected: [['engineVersion', false, 'engine minor version upgrade 16.9 -> 16.10 in place']],
    },
    {
      reason: 'RDS applied a newer minor version automatically: never planned as a downgrade',
      observed: (p) => {
        p.engineVersion = '16.8';
      },
      expected: [],
    },
    {
      reason: 'desired only the major version: any minor of it is fine',
      desired: (p) => {
        p.engineVersion = '16';
      },
      expected: [],
    },
    {
      reason: 'another identifier is another instance',
      desired: (p) => {
        p.identifier = 'demo-db2';
      },
      expected: [['identifier', true, 'identifier "demo-db" -> "demo-db2" forces replacement']],
    },
    {
      reason: 'database name is fixed at creation',
      desired: (p) => {
        p.dbName = 'logs';
      },
      expected: [['dbName', true, 'dbName "app" -> "logs" forces replacement']],
    },
    {
      reason: 'master user name is fixed at creation',
      desired: (p) => {
        p.masterUsername = 'admin';
      },
      expected: [['masterUsername', true, 'masterUsername "app" -> "admin" forces replacement']],
    },
    {
      reason: 'subnet group is fixed at creation',
      desired: (p) => {
        p.dbSubnetGroupName = 'other-db';
      },
      expected: [
        ['dbSubnetGroupName', true, 'dbSubnetGroupName "demo-db" -> "other-db" forces replacement'],
      ],
    },
    {
      reason: 'storage growth is in place',
      desired: (p) => {
        p.allocatedStorage = 50;
      },
      expected: [['allocatedStorage', false, 'allocated storage grows 20 -> 50 GiB in place']],
    },
    {
      reason: 'storage grown by autoscaling below the limit is not drift',
      desired: (p) => {
        p.maxAllocatedStorage = 100;
      },
      observed: (p) => {
        p.allocatedStorage = 40;
        p.maxAllocatedStorage = 100;
      },
      expected: [],
    },
    {
      reason: 'io1 to gp3 is an in-place storage type change',
      observed: (p) => {
        p.storageType = 'io1';
      },
      expected: [['storageType', false]],
    },
    {
      reason: 'backups, multi-AZ, class and deletion protection are in place',
      observed: (p) => {
        p.backupRetentionPeriod = 1;
        p.multiAz = true;
        p.instanceClass = 'db.t4g.small';
        p.deletionProtection = false;
      },
      expected: [
        ['backupRetentionPeriod', false],
        ['deletionProtection', false],
        ['instanceClass', false],
        ['multiAz', false],
      ],
    },
    {
      reason: 'a log export turned off out of band is in place',
      observed: (p) => {
        p.enableCloudwatchLogsExports = ['postgresql'];
      },
      expected: [['enableCloudwatchLogsExports[1]', false]],
    },
    {
      reason: 'log export and security group order does not matter',
      observed: (p) => {
        p.enableCloudwatchLogsExports = ['upgrade', 'postgresql'];
      },
      expected: [],
    },
  ];
  for (const { reason, desired: mutateDesired, observed: mutateObserved, expected } of cases) {
    const desired = properties();
    const observed = properties();
    mutateDesired?.(desired);
    mutateObserved?.(observed);
    const changes: ExplainedFieldChange[] = dbInstanceHandler.diff(desired, observed, {}, {});
    assert.deepStrictEqual(
      changes.map((change) =>
        change.reason === undefined
          ? [change.path, change.forcesReplacement]
          : [change.path, change.forcesReplacement, change.reason],
      ),
      expected,
      reason,
    );
  }
});

test('db-instance diff refuses a storage decrease', () => {
  const cases = [
    { reason: 'no autoscaling', maxAllocatedStorage: undefined },
    { reason: 'observed size above the autoscaling limit', maxAllocatedStorage: 40 },
  ];
  for (const { reason, maxAllocatedStorage } of cases) {
    const desired = { ...properties(), allocatedStorage: 20, maxAllocatedStorage };
    const observed = { ...properties(), allocatedStorage: 50 };
    assert.throws(
      () => dbInstanceHandler.diff(desired, observed, {}, {}),
      /cannot shrink db instance demo-db storage from 50 to 20 GiB/,
      reason,
    );
  }
});

test('dbInstanceStatus: only available is ready; RDS work in progress is pending', () => {
  const cases = [
    { reason: 'available', status: 'available', expected: 'ready' },
    { reason: 'creating', status: 'creating', expected: 'pending' },
    { reason: 'modifying', status: 'modifying', expected: 'pending' },
    { reason: 'backing up', status: 'backing-up', expected: 'pending' },
    { reason: 'deleting', status: 'deleting', expected: 'deleting' },
    { reason: 'failed', status: 'failed', expected: 'failed' },
    { reason: 'storage full', status: 'storage-full', expected: 'failed' },
  ];
  for (const { reason, status, expected } of cases) {
    assert.deepStrictEqual(dbInstanceStatus(status), expected, reason);
  }
});

test('finalSnapshotIdentifier is <id>-final-<yyyymmddhhmmss> in UTC', () => {
  assert.deepStrictEqual(
    finalSnapshotIdentifier('demo-db', new Date('2026-03-04T05:06:07Z')),
    'demo-db-final-20260304050607',
  );
});

test('dbInstanceVerdict (apply --wait): available is stable, failed states fail, the rest waits', () => {
  const cases = [
    { reason: 'available', status: 'available', expected: ['stable'] },
    { reason: 'a deleting instance is not waited for', status: 'deleting', expected: ['stable'] },
    { reason: 'creating', status: 'creating', expected: ['waiting', 'demo-db is creating'] },
    {
      reason: 'storage optimization still waits',
      status: 'storage-optimization',
      expected: ['waiting', 'demo-db is storage-optimization'],
    },
    { reason: 'failed', status: 'failed', expected: ['failed', 'demo-db is failed'] },
    {
      reason: 'an incompatible state fails',
      status: 'incompatible-parameters',
      expected: ['failed', 'demo-db is incompatible-parameters'],
    },
    {
      reason: 'lost encryption key fails',
      status: 'inaccessible-encryption-credentials',
      expected: ['failed', 'demo-db is inaccessible-encryption-credentials'],
    },
    {
      reason: 'restore error',
      status: 'restore-error',
      expected: ['failed', 'demo-db is restore-error'],
    },
    {
      reason: 'storage full',
      status: 'storage-full',
      expected: ['failed', 'demo-db is storage-full'],
    },
    { reason: 'no status read', status: undefined, expected: ['waiting', 'demo-db is unknown'] },
  ];
  for (const { reason, status, expected } of cases) {
    const verdict = dbInstanceVerdict({
      address: 'db-instance.main',
      kind: 'db-instance',
      stack: 'demo',
      id: 'demo-db',
      properties: properties(),
      tags: {},
      status: dbInstanceStatus(status),
      attributes: { id: 'demo-db' },
      live: { DBInstanceIdentifier: 'demo-db', DBInstanceStatus: status },
    });
    assert.deepStrictEqual([verdict.stack, verdict.address], ['demo', 'db-instance.main'], reason);
    assert.deepStrictEqual(
      verdict.detail === undefined ? [verdict.state] : [verdict.state, verdict.detail],
      expected,
      reason,
    );
  }
});

test('db-instance is protected, takes deletionPolicy snapshot and comes after what it refers to', () => {
  assert.deepStrictEqual(
    [dbInstanceHandler.protected, dbInstanceHandler.snapshot, dbInstanceHandler.after],
    [true, true, ['db-subnet-group', 'security-group', 'log-group']],
  );
});
