import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DbInstanceProperties } from '../resources/db-instance.ts';
import type { DbReplicaProperties } from '../resources/db-replica.ts';
import { ref } from '../resources/types.ts';
import { withDefaults } from '../spec/defaults.ts';
import type { Database, Stack } from '../spec/types.generated.ts';
import { expandDatabase } from './expand-database.ts';

function stack(database: Database | undefined): Stack {
  return {
    name: 'demo',
    region: 'us-west-2',
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a', 'us-west-2b'],
      publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
      privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
    },
    ...(database ? { database } : {}),
  };
}

const base: Database = { engineVersion: '16.4', instanceClass: 'db.t4g.micro' };

test('expandDatabase resources, order and deletion policies', () => {
  const cases = [
    { reason: 'no database: nothing', database: undefined, expected: [] },
    {
      reason: 'defaults: two log groups, subnet group, instance with a snapshot policy',
      database: base,
      expected: [
        ['log-group.aws/rds/instance/demo-db/postgresql', 'delete', []],
        ['log-group.aws/rds/instance/demo-db/upgrade', 'delete', []],
        ['db-subnet-group.main', 'delete', []],
        [
          'db-instance.main',
          'snapshot',
          [
            'log-group.aws/rds/instance/demo-db/postgresql',
            'log-group.aws/rds/instance/demo-db/upgrade',
          ],
        ],
      ],
    },
    {
      reason: 'a retained database keeps its subnet group and log groups',
      database: {
        ...base,
        identifier: 'logs',
        logExports: ['postgresql' as const],
        deletionPolicy: 'retain' as const,
      },
      expected: [
        ['log-group.aws/rds/instance/logs/postgresql', 'retain', []],
        ['db-subnet-group.main', 'retain', []],
        ['db-instance.main', 'retain', ['log-group.aws/rds/instance/logs/postgresql']],
      ],
    },
    {
      reason: 'read replicas after the instance, retained with it',
      database: {
        ...base,
        logExports: [],
        readReplicas: 2,
        deletionPolicy: 'retain' as const,
      },
      expected: [
        ['db-subnet-group.main', 'retain', []],
        ['db-instance.main', 'retain', []],
        ['db-replica.1', 'retain', []],
        ['db-replica.2', 'retain', []],
      ],
    },
  ];
  for (const { reason, database, expected } of cases) {
    assert.deepStrictEqual(
      expandDatabase(withDefaults(stack(database))).map((resource) => [
        resource.address,
        resource.deletionPolicy,
        resource.dependsOn,
      ]),
      expected,
      reason,
    );
  }
});

test('expandDatabase properties: managed password, encryption, private, protection by policy', () => {
  const resources = expandDatabase(
    withDefaults(stack({ ...base, logRetentionDays: 90, maxAllocatedStorageGiB: 100 })),
  );
  assert.deepStrictEqual(resources[0]?.properties, {
    name: '/aws/rds/instance/demo-db/postgresql',
    retentionDays: 90,
  });
  assert.deepStrictEqual(resources[2]?.properties, {
    name: 'demo-db',
    description: 'private subnets of the demo database',
    subnetIds: [ref('subnet.private-a'), ref('subnet.private-b')],
  });
  assert.deepStrictEqual(resources[3]?.properties as DbInstanceProperties, {
    identifier: 'demo-db',
    engine: 'postgres',
    engineVersion: '16.4',
    instanceClass: 'db.t4g.micro',
    allocatedStorage: 20,
    maxAllocatedStorage: 100,
    storageType: 'gp3',
    storageEncrypted: true,
    publiclyAccessible: false,
    manageMasterUserPassword: true,
    masterUsername: 'app',
    dbName: 'app',
    dbSubnetGroupName: ref('db-subnet-group.main', 'name'),
    vpcSecurityGroupIds: [ref('security-group.database')],
    multiAz: false,
    backupRetentionPeriod: 7,
    enableCloudwatchLogsExports: ['postgresql', 'upgrade'],
    iamDatabaseAuthentication: false,
    deletionProtection: true,
    copyTagsToSnapshot: true,
  });
  const replicated = expandDatabase(
    withDefaults(
      stack({
        ...base,
        readReplicas: 1,
        readReplicaInstanceClass: 'db.r7g.large',
        iamAuthentication: true,
      }),
    ),
  );
  assert.deepStrictEqual(replicated.at(-1)?.properties as DbReplicaProperties, {
    identifier: 'demo-db-replica-1',
    sourceIdentifier: ref('db-instance.main', 'identifier'),
    instanceClass: 'db.r7g.large',
    vpcSecurityGroupIds: [ref('security-group.database')],
    iamDatabaseAuthentication: true,
    deletionProtection: false,
  });
  const deletable = expandDatabase(withDefaults(stack({ ...base, deletionPolicy: 'delete' })));
  const deletableInstance = deletable.at(-1);
  assert.ok(deletableInstance);
  assert.equal((deletableInstance.properties as DbInstanceProperties).deletionProtection, false);
});
