import {
  CreateDBInstanceCommand,
  type CreateDBInstanceCommandInput,
  type DBInstance,
  DeleteDBInstanceCommand,
  type DeleteDBInstanceCommandInput,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  type ModifyDBInstanceCommandInput,
  paginateDescribeDBInstances,
} from '@aws-sdk/client-rds';
import { type Tags, tagListToMap, tagMapToList } from '../aws/tags.ts';
import type { FieldChange } from '../plan/types.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { required } from './kit/errors.ts';
import { compact, sortedValues, sortingSets } from './kit/json.ts';
import { keyedDelta } from './kit/keyed-delta.ts';
import { memoized } from './kit/memo.ts';
import { foundByName } from './kit/names.ts';
import { pick } from './kit/outputs.ts';
import { collect } from './kit/paginate.ts';
import { resolved } from './kit/refs.ts';
import { rdsTagging } from './kit/tagging/rds.ts';
import type {
  DesiredResource,
  FieldRule,
  ObservedResource,
  Ref,
  ResourceContext,
  ResourceStatus,
  StabilityVerdict,
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
 * FIELDS: each property's rule and the CreateDBInstance / ModifyDBInstance parameter that sets
 * it (the subnet group, security groups and log exports are built by hand). Identity, engine,
 * database name, master user name, encryption and subnet group are fixed at creation (replace).
 * engineVersion is `update` here because only a change of the major version (the part before the
 * first dot) replaces, which diff decides; allocatedStorage may only grow (diff refuses a
 * decrease). Everything else is a ModifyDBInstance with ApplyImmediately; a storage type change,
 * io1/io2 to gp2/gp3 included, is in place on AWS.
 */
const FIELDS: Record<keyof DbInstanceProperties, readonly [FieldRule, string?]> = {
  identifier: ['replace', 'DBInstanceIdentifier'],
  engine: ['replace', 'Engine'],
  engineVersion: ['update', 'EngineVersion'],
  instanceClass: ['update', 'DBInstanceClass'],
  allocatedStorage: ['update', 'AllocatedStorage'],
  maxAllocatedStorage: ['update', 'MaxAllocatedStorage'],
  storageType: ['update', 'StorageType'],
  storageEncrypted: ['replace', 'StorageEncrypted'],
  publiclyAccessible: ['update', 'PubliclyAccessible'],
  manageMasterUserPassword: ['update', 'ManageMasterUserPassword'],
  masterUsername: ['replace', 'MasterUsername'],
  dbName: ['replace', 'DBName'],
  dbSubnetGroupName: ['replace'],
  vpcSecurityGroupIds: ['update'],
  multiAz: ['update', 'MultiAZ'],
  backupRetentionPeriod: ['update', 'BackupRetentionPeriod'],
  enableCloudwatchLogsExports: ['update'],
  iamDatabaseAuthentication: ['update', 'EnableIAMDatabaseAuthentication'],
  deletionProtection: ['update', 'DeletionProtection'],
  copyTagsToSnapshot: ['update', 'CopyTagsToSnapshot'],
};

/** DB_INSTANCE_FIELDS: the rule of each property (see FIELDS). */
export const DB_INSTANCE_FIELDS: Record<keyof DbInstanceProperties, FieldRule> = Object.fromEntries(
  Object.entries(FIELDS).map(([field, [rule]]) => [field, rule]),
);

/** PENDING_STATUSES are the DBInstanceStatus values of RDS work in progress. */
const PENDING_STATUSES = new Set(
  [
    'creating modifying backing-up rebooting upgrading renaming maintenance starting stopping',
    'stopped resetting-master-credentials configuring-enhanced-monitoring moving-to-vpc',
    'configuring-iam-database-auth configuring-log-exports converting-to-vpc',
    'storage-config-upgrade storage-initialization',
  ]
    .join(' ')
    .split(' '),
);

/** dbInstanceStatus maps DBInstanceStatus to the engine's status: only `available` (and storage optimization) is ready. */
export function dbInstanceStatus(status: string | undefined): ResourceStatus {
  if (status === 'available' || status === 'storage-optimization') return 'ready';
  if (status === 'deleting') return 'deleting';
  if (status === undefined || PENDING_STATUSES.has(status)) return 'pending';
  return 'failed';
}

const FAILED_STATUS =
  /^(failed|incompatible-|inaccessible-encryption-credentials|restore-error|storage-full)/;

/**
 * dbInstanceVerdict is `apply --wait`'s judgement of one instance: `available` is stable (a
 * deleting one is not waited for), a failed state fails, any other state waits.
 */
export function dbInstanceVerdict(instance: ObservedResource<unknown>) {
  const status = (instance.live as DBInstance | undefined)?.DBInstanceStatus ?? 'unknown';
  const verdict: StabilityVerdict = {
    stack: instance.stack,
    address: instance.address,
    state: 'stable',
  };
  if (status === 'available' || status === 'deleting') return verdict;
  const state = FAILED_STATUS.test(status) ? 'failed' : 'waiting';
  return { ...verdict, state, detail: `${instance.id} is ${status}` } satisfies StabilityVerdict;
}

/** normalizeDbInstance turns a described instance into DbInstanceProperties. */
export function normalizeDbInstance(instance: DBInstance): DbInstanceProperties {
  return compact({
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
    vpcSecurityGroupIds: sortedValues(
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
    maxAllocatedStorage: instance.MaxAllocatedStorage,
  });
}

/** attributesOf: what other resources refer to (the endpoint, the managed master secret). */
export function attributesOf(instance: DBInstance): Record<string, string> {
  const port = instance.Endpoint?.Port;
  return compact({
    arn: instance.DBInstanceArn ?? '',
    identifier: instance.DBInstanceIdentifier ?? '',
    endpoint: instance.Endpoint?.Address || undefined,
    port: port === undefined ? undefined : String(port),
    masterUserSecretArn: instance.MasterUserSecret?.SecretArn || undefined,
    // IAM database auth: rds-db:connect names a user as <dbUserArnBase>/<user>
    dbUserArnBase: dbUserArnBase(instance),
  }) as Record<string, string>;
}

function dbUserArnBase(instance: DBInstance): string | undefined {
  const [arn, partition, , region, account] = (instance.DBInstanceArn ?? '').split(':');
  if (arn !== 'arn' || !instance.DbiResourceId) return undefined;
  return `arn:${partition}:rds-db:${region}:${account}:dbuser:${instance.DbiResourceId}`;
}

function liveInstance(instance: DBInstance, tags: Tags): Live<DbInstanceProperties> {
  return {
    id: instance.DBInstanceIdentifier ?? '',
    properties: normalizeDbInstance(instance),
    tags,
    attributes: attributesOf(instance),
    status: dbInstanceStatus(instance.DBInstanceStatus),
    live: instance,
  };
}

/** ExplainedFieldChange is a FieldChange with a human reason (why it replaces) for the plan. */
export interface ExplainedFieldChange extends FieldChange {
  reason?: string;
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
  const [from, to] = [majorVersion(observed), majorVersion(desired)];
  if (from !== to) {
    const reason = `engine major version ${from} -> ${to} forces replacement`;
    return [{ ...change, forcesReplacement: true, reason }];
  }
  if (!desired.includes('.') || compareVersions(desired, observed) <= 0) return [];
  const reason = `engine minor version upgrade ${observed} -> ${desired} in place`;
  return [{ ...change, forcesReplacement: false, reason }];
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
  const change = { path: 'allocatedStorage', before: observed, after: desired, sensitive: false };
  const reason = `allocated storage grows ${observed} -> ${desired} GiB in place`;
  return [{ ...change, forcesReplacement: false, reason }];
}

function replacementReason(change: FieldChange): ExplainedFieldChange {
  if (!change.forcesReplacement) return change;
  const { path, before, after } = change;
  return {
    ...change,
    reason: `${path} ${JSON.stringify(before)} -> ${JSON.stringify(after)} forces replacement`,
  };
}

/** finalSnapshotIdentifier names the snapshot taken before deleting: `<id>-final-<yyyymmddhhmmss>` (UTC): two lives of one identifier destroyed in the same minute get two snapshots. */
export function finalSnapshotIdentifier(identifier: string, now = new Date()): string {
  return `${identifier}-final-${now.toISOString().slice(0, 19).replace(/[-T:]/g, '')}`;
}

/** parameters sets the API parameters of `fields` (those FIELDS names one for) to their desired values. */
function parameters(properties: DbInstanceProperties, fields: Iterable<string>) {
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const parameter = FIELDS[field]?.[1];
    if (parameter) input[parameter] = properties[field];
  }
  return input;
}

function securityGroups(properties: DbInstanceProperties): string[] {
  return properties.vpcSecurityGroupIds.map((group) => resolved(group, 'security group'));
}

function modifyInput(
  desired: DbInstanceProperties,
  observed: DbInstanceProperties,
  fields: ReadonlySet<string>,
): ModifyDBInstanceCommandInput {
  const input: ModifyDBInstanceCommandInput = {
    ...parameters(desired, fields),
    DBInstanceIdentifier: observed.identifier,
    ApplyImmediately: true,
  };
  if (fields.has('vpcSecurityGroupIds')) input.VpcSecurityGroupIds = securityGroups(desired);
  if (fields.has('enableCloudwatchLogsExports')) {
    const { add, remove } = keyedDelta(
      desired.enableCloudwatchLogsExports,
      observed.enableCloudwatchLogsExports,
    );
    input.CloudwatchLogsExportConfiguration = {
      EnableLogTypes: add.sort(),
      DisableLogTypes: remove.sort(),
    };
  }
  return input;
}

/** allInstances is every DB instance of the region with its tags, read once a pass (observe and the name look-up). */
export function allInstances(ctx: ResourceContext): Promise<DBInstance[]> {
  return memoized(ctx, 'rds:DescribeDBInstances', () =>
    collect(
      paginateDescribeDBInstances({ client: ctx.clients.rds }, {}),
      (page) => page.DBInstances,
    ),
  );
}

/**
 * byIdentifier finds, for each desired instance or replica, the one holding its identifier
 * (identifiers are unique per region), whatever its tags.
 */
export function byIdentifier<P extends { identifier: string }>(
  toObserved: (instance: DBInstance) => Live<P>,
) {
  return async (ctx: ResourceContext, desired: readonly DesiredResource<P>[]) =>
    foundByName({
      desired,
      listed: await allInstances(ctx),
      nameOf: (instance) => instance.DBInstanceIdentifier,
      wanted: (resource) => resource.properties.identifier,
      toObserved,
    });
}

/**
 * deleteInstance deletes an instance or replica, lifting deletion protection first; one already
 * deleting (or gone) needs nothing.
 */
export async function deleteInstance(
  ctx: ResourceContext,
  DBInstanceIdentifier: string,
  options: Pick<DeleteDBInstanceCommandInput, 'SkipFinalSnapshot' | 'FinalDBSnapshotIdentifier'>,
): Promise<void> {
  const described = await ctx.clients.rds.send(
    new DescribeDBInstancesCommand({ DBInstanceIdentifier }),
  );
  const current = described.DBInstances?.[0];
  if (!current || current.DBInstanceStatus === 'deleting') return;
  if (current.DeletionProtection) {
    await ctx.clients.rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier,
        DeletionProtection: false,
        ApplyImmediately: true,
      }),
    );
  }
  await ctx.clients.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier, ...options }));
}

/**
 * dbInstanceHandler manages the stack's PostgreSQL instance (`db-instance.main`). Instances are
 * identified by DBInstanceIdentifier, never by DbiResourceId. No call waits for RDS: create and
 * modify return with the instance `pending` while RDS works; `apply --wait` uses the stability.
 */
export const dbInstanceHandler = defineKind<DbInstanceProperties, DBInstance>({
  kind: 'db-instance',
  outputs: (instance) => pick(instance.attributes, ['endpoint', 'port']),
  fields: DB_INSTANCE_FIELDS,
  after: ['db-subnet-group', 'security-group', 'log-group'],
  protected: true,
  snapshot: true,
  tagging: rdsTagging,
  tagTarget: (instance) => instance.attributes.arn ?? '',
  notFound: ['DBInstanceNotFound', 'DBInstanceNotFoundFault'],
  alreadyExists: ['DBInstanceAlreadyExists', 'DBInstanceAlreadyExistsFault'],
  iamActions: {
    read: ['rds:DescribeDBInstances'],
    write: [
      'rds:CreateDBInstance',
      'rds:ModifyDBInstance',
      'rds:DeleteDBInstance',
      'rds:CreateDBSnapshot',
    ],
    scope: {
      arn: 'arn:aws:rds:*:{account}:db:*',
      create: ['rds:CreateDBInstance'],
    },
  },

  // replicas are db-replica's: the instances of the stack are the ones of no source
  list: async (ctx) =>
    (await allInstances(ctx)).filter((instance) => !instance.ReadReplicaSourceDBInstanceIdentifier),

  toObserved: (instance) => liveInstance(instance, tagListToMap(instance.TagList)),

  normalize: sortingSets('vpcSecurityGroupIds', 'enableCloudwatchLogsExports'),

  explain(changes, desired, observed): FieldChange[] {
    const generic = changes.filter(
      (change) => change.path !== 'engineVersion' && change.path !== 'allocatedStorage',
    );
    return [
      ...diffEngineVersion(desired.engineVersion, observed.engineVersion),
      ...diffAllocatedStorage(
        desired.allocatedStorage,
        observed.allocatedStorage,
        desired.maxAllocatedStorage,
        observed.identifier,
      ),
      ...generic.map(replacementReason),
    ];
  },

  async create(ctx, desired) {
    const { properties } = desired;
    const input = {
      ...parameters(properties, Object.keys(FIELDS)),
      DBSubnetGroupName: resolved(properties.dbSubnetGroupName, 'dbSubnetGroupName'),
      VpcSecurityGroupIds: securityGroups(properties),
      EnableCloudwatchLogsExports: properties.enableCloudwatchLogsExports,
      AutoMinorVersionUpgrade: true,
      Tags: tagMapToList(desired.tags),
    } as CreateDBInstanceCommandInput;
    const output = await ctx.clients.rds.send(new CreateDBInstanceCommand(input));
    const instance = required(output.DBInstance, 'CreateDBInstance returned no instance');
    return liveInstance(instance, { ...desired.tags });
  },

  async update(ctx, desired, observed, fields) {
    const input = modifyInput(desired.properties, observed.properties, fields);
    const { DBInstance: instance } = await ctx.clients.rds.send(new ModifyDBInstanceCommand(input));
    if (!instance) return undefined;
    return {
      status: dbInstanceStatus(instance.DBInstanceStatus),
      attributes: attributesOf(instance),
    };
  },

  destroy: (ctx, observed, { snapshot }) =>
    deleteInstance(ctx, observed.id, {
      SkipFinalSnapshot: !snapshot,
      FinalDBSnapshotIdentifier: snapshot ? finalSnapshotIdentifier(observed.id) : undefined,
    }),

  stability: async (_ctx, observed) => observed.map(dbInstanceVerdict),

  findByName: byIdentifier((instance) => liveInstance(instance, tagListToMap(instance.TagList))),
});
