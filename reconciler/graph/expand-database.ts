import type { DbInstanceProperties } from '../resources/db-instance.ts';
import type { DbReplicaProperties } from '../resources/db-replica.ts';
import type { DbSubnetGroupProperties } from '../resources/db-subnet-group.ts';
import type { LogGroupProperties } from '../resources/log-group.ts';
import { type DeletionPolicy, type DesiredResource, ref } from '../resources/types.ts';
import type { ResolvedDatabase, ResolvedStack } from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';

/** databaseIdentifier is the DB instance identifier: the spec's, or `<stack>-db`. */
export function databaseIdentifier(stack: ResolvedStack, database: ResolvedDatabase): string {
  return database.identifier ?? `${stack.name}-db`;
}

/** databaseLogGroupName is the log group RDS writes one exported log type to. */
export function databaseLogGroupName(identifier: string, logType: string): string {
  return `/aws/rds/instance/${identifier}/${logType}`;
}

/** replicaNumbers are 1 to database.readReplicas. */
export function replicaNumbers(database: ResolvedDatabase): number[] {
  return Array.from({ length: database.readReplicas }, (_, index) => index + 1);
}

/**
 * expandDatabase returns, when the stack has a database: one log group per exported log type
 * (created before the instance, so the reconciler and not RDS owns their retention), the DB subnet
 * group over the private subnets, the PostgreSQL instance and its read replicas. The instance
 * follows database.deletionPolicy; a retained database keeps its subnet group, log groups and
 * replicas too.
 */
export function expandDatabase(stack: ResolvedStack): DesiredResource[] {
  const database = stack.database;
  if (!database) return [];
  const identifier = databaseIdentifier(stack, database);
  const policy: DeletionPolicy = database.deletionPolicy;
  const companionPolicy: DeletionPolicy | undefined = policy === 'retain' ? 'retain' : undefined;
  const companionOptions = companionPolicy ? { deletionPolicy: companionPolicy } : {};
  const logExports = [...database.logExports];

  const logGroups = logExports.map((logType) => {
    const name = databaseLogGroupName(identifier, logType);
    const properties: LogGroupProperties = {
      name,
      retentionDays: database.logRetentionDays,
    };
    return desired(stack, addresses.logGroup(name), properties, companionOptions);
  });

  const subnetGroup: DbSubnetGroupProperties = {
    name: `${stack.name}-db`,
    description: `private subnets of the ${stack.name} database`,
    subnetIds: stack.network.availabilityZones.map((zone) =>
      ref(addresses.subnet('private', zone)),
    ),
  };

  const instance: DbInstanceProperties = {
    identifier,
    engine: 'postgres',
    engineVersion: database.engineVersion,
    instanceClass: database.instanceClass,
    allocatedStorage: database.allocatedStorageGiB,
    storageType: database.storageType,
    storageEncrypted: true,
    publiclyAccessible: false,
    manageMasterUserPassword: true,
    masterUsername: database.masterUsername,
    dbName: database.databaseName,
    dbSubnetGroupName: ref(addresses.dbSubnetGroup(), 'name'),
    vpcSecurityGroupIds: [ref(addresses.databaseSecurityGroup())],
    multiAz: database.multiAz,
    backupRetentionPeriod: database.backupRetentionDays,
    enableCloudwatchLogsExports: [...logExports].sort(),
    iamDatabaseAuthentication: database.iamAuthentication,
    deletionProtection: policy !== 'delete',
    copyTagsToSnapshot: true,
  };
  if (database.maxAllocatedStorageGiB !== undefined) {
    instance.maxAllocatedStorage = database.maxAllocatedStorageGiB;
  }

  const replicas = replicaNumbers(database).map((n) => {
    const replica: DbReplicaProperties = {
      identifier: `${identifier}-replica-${n}`,
      sourceIdentifier: ref(addresses.dbInstance(), 'identifier'),
      instanceClass: database.readReplicaInstanceClass ?? database.instanceClass,
      vpcSecurityGroupIds: [ref(addresses.databaseSecurityGroup())],
      iamDatabaseAuthentication: database.iamAuthentication,
      deletionProtection: policy === 'retain',
    };
    return desired(stack, addresses.dbReplica(n), replica, companionOptions);
  });

  return [
    ...logGroups,
    desired(stack, addresses.dbSubnetGroup(), subnetGroup, companionOptions),
    desired(stack, addresses.dbInstance(), instance, {
      dependsOn: logGroups.map((logGroup) => logGroup.address),
      deletionPolicy: policy,
    }),
    ...replicas,
  ];
}
