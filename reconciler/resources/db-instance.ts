import {
  CreateDBInstanceCommand,
  type DBInstance,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  type ModifyDBInstanceCommandInput,
} from '@aws-sdk/client-rds';
import { errorCode, isNotFound } from '../aws/errors.ts';
import { ownedBy, tagListToMap, tagMapToList } from '../aws/tags.ts';
import { kindOf } from '../graph/addresses.ts';
import { diffProperties, diffTags } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import { changedFields, hasTagChanges, paginate } from './ecs-common.ts';
import { removeRdsManagementTags, sortedStrings, syncRdsTags } from './rds-common.ts';
import type {
  DeleteOptions,
  DesiredResource,
  FieldRule,
  ObservedResource,
  Ref,
  ResourceContext,
  ResourceHandler,
  ResourceStatus,
  Tags,
} from './types.ts';

/** DbInstanceProperties mirror CreateDBInstance's input for a PostgreSQL instance (camelCase). */
export interface DbInstanceProperties extends Record<string, unknown> {
  identifier: string;
  engine: string;
  engineVersion: string;
  instanceClass: string;
  allocatedStorage: number;
  maxAllocatedStorage?: number;
  storageType: string;
  storageEncrypted: boolean;
  publiclyAccessible: boolean;
  /** Always true: RDS generates the master password and keeps it in Secrets Manager. */
  manageMasterUserPassword: boolean;
  masterUsername: string;
  dbName: string;
  dbSubnetGroupName: string | Ref;
  vpcSecurityGroupIds: (string | Ref)[];
  multiAz: boolean;
  backupRetentionPeriod: number;
  enableCloudwatchLogsExports: string[];
  iamDatabaseAuthentication: boolean;
  deletionProtection: boolean;
  copyTagsToSnapshot: boolean;
}

/**
 * DB_INSTANCE_FIELDS: identity, engine, database name, master user name, encryption and subnet
 * group are fixed at creation (replace). engineVersion is `update` here because only a change of
 * the major version (the part before the first dot) replaces, which diff decides; allocatedStorage
 * may only grow (diff refuses a decrease). Everything else is a ModifyDBInstance with
 * ApplyImmediately; a storage type change, io1/io2 to gp2/gp3 included, is in place on AWS.
 */
export const DB_INSTANCE_FIELDS: Record<keyof DbInstanceProperties, FieldRule> = {
  identifier: 'replace',
  engine: 'replace',
  engineVersion: 'update',
  instanceClass: 'update',
  allocatedStorage: 'update',
  maxAllocatedStorage: 'update',
  storageType: 'update',
  storageEncrypted: 'replace',
  publiclyAccessible: 'update',
  manageMasterUserPassword: 'update',
  masterUsername: 'replace',
  dbName: 'replace',
  dbSubnetGroupName: 'replace',
  vpcSecurityGroupIds: 'update',
  multiAz: 'update',
  backupRetentionPeriod: 'update',
  enableCloudwatchLogsExports: 'update',
  iamDatabaseAuthentication: 'update',
  deletionProtection: 'update',
  copyTagsToSnapshot: 'update',
};

/** ExplainedFieldChange is a FieldChange with a human reason (why it replaces) for the plan. */
export interface ExplainedFieldChange extends FieldChange {
  reason?: string;
}

const PENDING_STATUSES = new Set([
  'creating',
  'modifying',
  'backing-up',
  'rebooting',
  'upgrading',
  'renaming',
  'resetting-master-credentials',
  'configuring-enhanced-monitoring',
  'configuring-iam-database-auth',
  'configuring-log-exports',
  'converting-to-vpc',
  'maintenance',
  'moving-to-vpc',
  'starting',
  'stopping',
  'stopped',
  'storage-config-upgrade',
  'storage-initialization',
]);

/** dbInstanceStatus maps DBInstanceStatus to the engine's status: only `available` (and storage optimization) is ready. */
export function dbInstanceStatus(status: string | undefined): ResourceStatus {
  if (status === 'available' || status === 'storage-optimization') return 'ready';
  if (status === 'deleting') return 'deleting';
  if (status === undefined || PENDING_STATUSES.has(status)) return 'pending';
  return 'failed';
}

/** normalizeDbInstance turns a described instance into DbInstanceProperties. */
export function normalizeDbInstance(instance: DBInstance): DbInstanceProperties {
  const properties: DbInstanceProperties = {
    identifier: instance.DBInstanceIdentifier ?? '',
    engine: instance.Engine ?? '',
    engineVersion: instance.EngineVersion ?? '',
    instanceClass: instance.DBInstanceClass ?? '',
    allocatedStorage: instance.AllocatedStorage ?? 0,
    storageType: instance.StorageType ?? '',
    storageEncrypted: instance.StorageEncrypted ?? false,
    publiclyAccessible: instance.PubliclyAccessible ?? false,
    manageMasterUserPassword: instance.MasterUserSecret?.SecretArn !== undefined,
    masterUsername: instance.MasterUsername ?? '',
    dbName: instance.DBName ?? '',
    dbSubnetGroupName: instance.DBSubnetGroup?.DBSubnetGroupName ?? '',
    vpcSecurityGroupIds: sortedStrings(
      (instance.VpcSecurityGroups ?? [])
        .filter((group) => group.Status !== 'removing')
        .map((group) => group.VpcSecurityGroupId ?? ''),
    ),
    multiAz: instance.MultiAZ ?? false,
    backupRetentionPeriod: instance.BackupRetentionPeriod ?? 0,
    enableCloudwatchLogsExports: [...new Set(instance.EnabledCloudwatchLogsExports ?? [])].sort(),
    iamDatabaseAuthentication: instance.IAMDatabaseAuthenticationEnabled ?? false,
    deletionProtection: instance.DeletionProtection ?? false,
    copyTagsToSnapshot: instance.CopyTagsToSnapshot ?? false,
  };
  if (instance.MaxAllocatedStorage !== undefined) {
    properties.maxAllocatedStorage = instance.MaxAllocatedStorage;
  }
  return properties;
}

function observedInstance(
  stack: string,
  address: string,
  instance: DBInstance,
  tags: Tags,
): ObservedResource<DbInstanceProperties> {
  const identifier = instance.DBInstanceIdentifier ?? '';
  const attributes: Record<string, string> = {
    id: identifier,
    arn: instance.DBInstanceArn ?? '',
    identifier,
  };
  if (instance.Endpoint?.Address) attributes.endpoint = instance.Endpoint.Address;
  if (instance.Endpoint?.Port !== undefined) attributes.port = String(instance.Endpoint.Port);
  if (instance.MasterUserSecret?.SecretArn) {
    attributes.masterUserSecretArn = instance.MasterUserSecret.SecretArn;
  }
  return {
    address,
    kind: 'db-instance',
    stack,
    id: identifier,
    properties: normalizeDbInstance(instance),
    tags,
    status: dbInstanceStatus(instance.DBInstanceStatus),
    attributes,
  };
}

/** majorVersion is the part of a PostgreSQL engine version before the first dot (`16.4` -> `16`). */
export function majorVersion(version: string): string {
  return version.split('.')[0] ?? version;
}

function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * diffEngineVersion: a different major version replaces the instance; a newer minor version is an
 * in-place upgrade; a desired version of only the major (`16`), or an older minor than the one
 * running (RDS applied an automatic minor upgrade, and never downgrades), is no change.
 */
export function diffEngineVersion(desired: string, observed: string): ExplainedFieldChange[] {
  const change = { path: 'engineVersion', before: observed, after: desired, sensitive: false };
  if (majorVersion(desired) !== majorVersion(observed)) {
    return [
      {
        ...change,
        forcesReplacement: true,
        reason: `engine major version ${majorVersion(observed)} -> ${majorVersion(desired)} forces replacement`,
      },
    ];
  }
  if (!desired.includes('.') || compareVersions(desired, observed) <= 0) return [];
  return [
    {
      ...change,
      forcesReplacement: false,
      reason: `engine minor version upgrade ${observed} -> ${desired} in place`,
    },
  ];
}

/**
 * diffAllocatedStorage: storage only grows. A desired size below the observed one is an error,
 * unless storage autoscaling (maxAllocatedStorage) grew it there.
 */
export function diffAllocatedStorage(
  desired: number,
  observed: number,
  maxAllocatedStorage: number | undefined,
  identifier: string,
): ExplainedFieldChange[] {
  if (desired === observed) return [];
  if (desired < observed) {
    if (maxAllocatedStorage !== undefined && observed <= maxAllocatedStorage) return [];
    throw new Error(
      `cannot shrink db instance ${identifier} storage from ${observed} to ${desired} GiB: RDS storage can only grow`,
    );
  }
  return [
    {
      path: 'allocatedStorage',
      before: observed,
      after: desired,
      forcesReplacement: false,
      sensitive: false,
      reason: `allocated storage grows ${observed} -> ${desired} GiB in place`,
    },
  ];
}

function explain(change: FieldChange): ExplainedFieldChange {
  if (!change.forcesReplacement) return change;
  return {
    ...change,
    reason: `${change.path} ${JSON.stringify(change.before)} -> ${JSON.stringify(change.after)} forces replacement`,
  };
}

function resolved(value: string | Ref, what: string): string {
  if (typeof value !== 'string')
    throw new Error(`${what} is an unresolved reference to ${value.$ref}`);
  return value;
}

function snapshotTimestamp(now: Date): string {
  return now.toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

/** finalSnapshotIdentifier names the snapshot taken before deleting: `<id>-final-<yyyymmddhhmm>` (UTC). */
export function finalSnapshotIdentifier(identifier: string, now = new Date()): string {
  return `${identifier}-final-${snapshotTimestamp(now)}`;
}

function failure(action: string, identifier: string, err: unknown): Error {
  return new Error(
    `cannot ${action} db instance ${identifier}: ${errorCode(err) ?? (err as Error).message}`,
    { cause: err },
  );
}

function modifyInput(
  desired: DbInstanceProperties,
  observed: DbInstanceProperties,
  fields: Set<string>,
): ModifyDBInstanceCommandInput {
  const input: ModifyDBInstanceCommandInput = {
    DBInstanceIdentifier: observed.identifier,
    ApplyImmediately: true,
  };
  if (fields.has('engineVersion')) input.EngineVersion = desired.engineVersion;
  if (fields.has('instanceClass')) input.DBInstanceClass = desired.instanceClass;
  if (fields.has('allocatedStorage')) input.AllocatedStorage = desired.allocatedStorage;
  if (fields.has('maxAllocatedStorage')) input.MaxAllocatedStorage = desired.maxAllocatedStorage;
  if (fields.has('storageType')) input.StorageType = desired.storageType;
  if (fields.has('publiclyAccessible')) input.PubliclyAccessible = desired.publiclyAccessible;
  if (fields.has('manageMasterUserPassword')) {
    input.ManageMasterUserPassword = desired.manageMasterUserPassword;
  }
  if (fields.has('vpcSecurityGroupIds')) {
    input.VpcSecurityGroupIds = desired.vpcSecurityGroupIds.map((group) =>
      resolved(group, 'security group'),
    );
  }
  if (fields.has('multiAz')) input.MultiAZ = desired.multiAz;
  if (fields.has('backupRetentionPeriod')) {
    input.BackupRetentionPeriod = desired.backupRetentionPeriod;
  }
  if (fields.has('enableCloudwatchLogsExports')) {
    const wanted = new Set(desired.enableCloudwatchLogsExports);
    const present = new Set(observed.enableCloudwatchLogsExports);
    input.CloudwatchLogsExportConfiguration = {
      EnableLogTypes: [...wanted].filter((type) => !present.has(type)).sort(),
      DisableLogTypes: [...present].filter((type) => !wanted.has(type)).sort(),
    };
  }
  if (fields.has('iamDatabaseAuthentication')) {
    input.EnableIAMDatabaseAuthentication = desired.iamDatabaseAuthentication;
  }
  if (fields.has('deletionProtection')) input.DeletionProtection = desired.deletionProtection;
  if (fields.has('copyTagsToSnapshot')) input.CopyTagsToSnapshot = desired.copyTagsToSnapshot;
  return input;
}

async function describeInstance(
  ctx: ResourceContext,
  identifier: string,
): Promise<DBInstance | undefined> {
  try {
    const output = await ctx.clients.rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }),
    );
    return output.DBInstances?.[0];
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * dbInstanceHandler manages the stack's PostgreSQL instance (`db-instance.main`). Instances are
 * identified by DBInstanceIdentifier, never by DbiResourceId. No handler call waits for RDS:
 * create and modify return with the instance `pending` while RDS works.
 */
export const dbInstanceHandler: ResourceHandler<DbInstanceProperties> = {
  kind: 'db-instance',
  fields: DB_INSTANCE_FIELDS,

  async observeAll(ctx) {
    const instances = await paginate(async (marker) => {
      const page = await ctx.clients.rds.send(new DescribeDBInstancesCommand({ Marker: marker }));
      return { items: page.DBInstances, nextToken: page.Marker };
    });
    const observed: ObservedResource<DbInstanceProperties>[] = [];
    for (const instance of instances) {
      const tags = tagListToMap(instance.TagList);
      const owner = ownedBy(tags, ctx.stacks);
      if (!owner || kindOf(owner.address) !== 'db-instance') continue;
      observed.push(observedInstance(owner.stack, owner.address, instance, tags));
    }
    return observed;
  },

  diff(desired, observed, desiredTags: Tags, observedTags: Tags): FieldChange[] {
    const { engineVersion, allocatedStorage, ...rest } = desired;
    const generic = diffProperties(
      {
        ...rest,
        vpcSecurityGroupIds: sortedStrings(desired.vpcSecurityGroupIds),
        enableCloudwatchLogsExports: sortedStrings(desired.enableCloudwatchLogsExports),
      },
      {
        ...observed,
        vpcSecurityGroupIds: sortedStrings(observed.vpcSecurityGroupIds),
        enableCloudwatchLogsExports: sortedStrings(observed.enableCloudwatchLogsExports),
      },
      DB_INSTANCE_FIELDS,
    );
    return [
      ...diffEngineVersion(engineVersion, observed.engineVersion),
      ...diffAllocatedStorage(
        allocatedStorage,
        observed.allocatedStorage,
        desired.maxAllocatedStorage,
        observed.identifier,
      ),
      ...generic.map(explain),
      ...diffTags(desiredTags, observedTags),
    ];
  },

  async create(ctx, desired: DesiredResource<DbInstanceProperties>) {
    const properties = desired.properties;
    try {
      const output = await ctx.clients.rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: properties.identifier,
          Engine: properties.engine,
          EngineVersion: properties.engineVersion,
          DBInstanceClass: properties.instanceClass,
          AllocatedStorage: properties.allocatedStorage,
          MaxAllocatedStorage: properties.maxAllocatedStorage,
          StorageType: properties.storageType,
          StorageEncrypted: properties.storageEncrypted,
          PubliclyAccessible: properties.publiclyAccessible,
          ManageMasterUserPassword: properties.manageMasterUserPassword,
          MasterUsername: properties.masterUsername,
          DBName: properties.dbName,
          DBSubnetGroupName: resolved(properties.dbSubnetGroupName, 'dbSubnetGroupName'),
          VpcSecurityGroupIds: properties.vpcSecurityGroupIds.map((group) =>
            resolved(group, 'security group'),
          ),
          MultiAZ: properties.multiAz,
          BackupRetentionPeriod: properties.backupRetentionPeriod,
          EnableCloudwatchLogsExports: properties.enableCloudwatchLogsExports,
          EnableIAMDatabaseAuthentication: properties.iamDatabaseAuthentication,
          DeletionProtection: properties.deletionProtection,
          CopyTagsToSnapshot: properties.copyTagsToSnapshot,
          AutoMinorVersionUpgrade: true,
          Tags: tagMapToList(desired.tags),
        }),
      );
      if (!output.DBInstance) throw new Error('CreateDBInstance returned no instance');
      return observedInstance(desired.stack, desired.address, output.DBInstance, {
        ...desired.tags,
      });
    } catch (err) {
      throw failure('create', properties.identifier, err);
    }
  },

  async update(ctx, desired, observed, changes) {
    const input = modifyInput(desired.properties, observed.properties, changedFields(changes));
    try {
      let instance: DBInstance | undefined;
      if (Object.keys(input).length > 2) {
        instance = (await ctx.clients.rds.send(new ModifyDBInstanceCommand(input))).DBInstance;
      }
      if (hasTagChanges(changes)) {
        await syncRdsTags(ctx, observed.attributes.arn ?? '', desired.tags, observed.tags);
      }
      const tags = { ...desired.tags };
      return instance
        ? observedInstance(desired.stack, desired.address, instance, tags)
        : { ...observed, tags };
    } catch (err) {
      throw failure('update', observed.id, err);
    }
  },

  async delete(ctx, observed, options: DeleteOptions) {
    const identifier = observed.id;
    try {
      if (options.deletionPolicy === 'retain') {
        await removeRdsManagementTags(ctx, observed.attributes.arn ?? '', observed.tags);
        return;
      }
      const current = await describeInstance(ctx, identifier);
      if (!current || current.DBInstanceStatus === 'deleting') return;
      if (current.DeletionProtection) {
        await ctx.clients.rds.send(
          new ModifyDBInstanceCommand({
            DBInstanceIdentifier: identifier,
            DeletionProtection: false,
            ApplyImmediately: true,
          }),
        );
      }
      await ctx.clients.rds.send(
        new DeleteDBInstanceCommand(
          options.deletionPolicy === 'snapshot'
            ? {
                DBInstanceIdentifier: identifier,
                SkipFinalSnapshot: false,
                FinalDBSnapshotIdentifier: finalSnapshotIdentifier(identifier),
              }
            : { DBInstanceIdentifier: identifier, SkipFinalSnapshot: true },
        ),
      );
    } catch (err) {
      if (isNotFound(err)) return;
      throw failure('delete', identifier, err);
    }
  },
};
