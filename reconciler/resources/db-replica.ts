import {
  CreateDBInstanceReadReplicaCommand,
  type DBInstance,
  ModifyDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { tagListToMap, tagMapToList } from '../aws/tags.ts';
import {
  allInstances,
  attributesOf,
  byIdentifier,
  dbInstanceStatus,
  dbInstanceVerdict,
  deleteInstance,
} from './db-instance.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { required } from './kit/errors.ts';
import { compact, sortedValues, sortingSets } from './kit/json.ts';
import { pick } from './kit/outputs.ts';
import { resolved } from './kit/refs.ts';
import { rdsTagging } from './kit/tagging/rds.ts';
import type { FieldRule, Ref } from './types.ts';

/**
 * DbReplicaProperties: an RDS read replica of the stack's PostgreSQL instance. Engine, version,
 * storage, database and users come from the source; what is its own is below.
 */
export interface DbReplicaProperties extends Record<string, unknown> {
  identifier: string;
  sourceIdentifier: string | Ref;
  instanceClass: string;
  vpcSecurityGroupIds: (string | Ref)[];
  iamDatabaseAuthentication: boolean;
  deletionProtection: boolean;
}

/** FIELDS: each property's rule and the ModifyDBInstance parameter that sets it in place. */
const FIELDS: Record<keyof DbReplicaProperties, readonly [FieldRule, string?]> = {
  identifier: ['replace'],
  sourceIdentifier: ['replace'],
  instanceClass: ['update', 'DBInstanceClass'],
  vpcSecurityGroupIds: ['update'],
  iamDatabaseAuthentication: ['update', 'EnableIAMDatabaseAuthentication'],
  deletionProtection: ['update', 'DeletionProtection'],
};

/** DB_REPLICA_FIELDS: the rule of each property (see FIELDS). */
export const DB_REPLICA_FIELDS: Record<keyof DbReplicaProperties, FieldRule> = Object.fromEntries(
  Object.entries(FIELDS).map(([field, [rule]]) => [field, rule]),
);

/** normalizeDbReplica turns a described replica into DbReplicaProperties. */
export function normalizeDbReplica(instance: DBInstance): DbReplicaProperties {
  return compact({
    identifier: instance.DBInstanceIdentifier ?? '',
    sourceIdentifier: instance.ReadReplicaSourceDBInstanceIdentifier ?? '',
    instanceClass: instance.DBInstanceClass ?? '',
    vpcSecurityGroupIds: sortedValues(
      (instance.VpcSecurityGroups ?? [])
        .filter((group) => group.Status !== 'removing')
        .map((group) => group.VpcSecurityGroupId ?? ''),
    ),
    iamDatabaseAuthentication: instance.IAMDatabaseAuthenticationEnabled ?? false,
    deletionProtection: instance.DeletionProtection ?? false,
  });
}

function liveReplica(instance: DBInstance): Live<DbReplicaProperties> {
  return {
    id: instance.DBInstanceIdentifier ?? '',
    properties: normalizeDbReplica(instance),
    tags: tagListToMap(instance.TagList),
    attributes: attributesOf(instance),
    status: dbInstanceStatus(instance.DBInstanceStatus),
    live: instance,
  };
}

const securityGroups = (properties: DbReplicaProperties) =>
  properties.vpcSecurityGroupIds.map((group) => resolved(group, 'security group'));

/**
 * dbReplicaHandler manages the read replicas of the stack's database (`db-replica.<n>`): made
 * with CreateDBInstanceReadReplica from the instance, changed with ModifyDBInstance, deleted
 * with DeleteDBInstance (a replica has no final snapshot: its data is the source's). The
 * instances come from the same memoized DescribeDBInstances as db-instance's.
 */
export const dbReplicaHandler = defineKind<DbReplicaProperties, DBInstance>({
  kind: 'db-replica',
  outputs: (replica) => pick(replica.attributes, ['endpoint', 'port']),
  fields: DB_REPLICA_FIELDS,
  after: ['db-instance', 'security-group'],
  tagging: rdsTagging,
  tagTarget: (replica) => replica.attributes.arn ?? '',
  notFound: ['DBInstanceNotFound', 'DBInstanceNotFoundFault'],
  alreadyExists: ['DBInstanceAlreadyExists', 'DBInstanceAlreadyExistsFault'],
  iamActions: {
    read: ['rds:DescribeDBInstances'],
    write: ['rds:CreateDBInstanceReadReplica', 'rds:ModifyDBInstance', 'rds:DeleteDBInstance'],
    scope: {
      arn: 'arn:aws:rds:*:{account}:db:*',
      create: ['rds:CreateDBInstanceReadReplica'],
    },
  },

  list: async (ctx) =>
    (await allInstances(ctx)).filter((instance) => instance.ReadReplicaSourceDBInstanceIdentifier),

  toObserved: liveReplica,

  normalize: sortingSets('vpcSecurityGroupIds'),

  async create(ctx, desired) {
    const { properties } = desired;
    const output = await ctx.clients.rds.send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: properties.identifier,
        SourceDBInstanceIdentifier: resolved(properties.sourceIdentifier, 'sourceIdentifier'),
        DBInstanceClass: properties.instanceClass,
        VpcSecurityGroupIds: securityGroups(properties),
        EnableIAMDatabaseAuthentication: properties.iamDatabaseAuthentication,
        DeletionProtection: properties.deletionProtection,
        PubliclyAccessible: false,
        AutoMinorVersionUpgrade: true,
        Tags: tagMapToList(desired.tags),
      }),
    );
    const instance = required(
      output.DBInstance,
      'CreateDBInstanceReadReplica returned no instance',
    );
    return { ...liveReplica(instance), tags: { ...desired.tags } };
  },

  async update(ctx, desired, observed, fields) {
    const input: Record<string, unknown> = {
      DBInstanceIdentifier: observed.id,
      ApplyImmediately: true,
    };
    for (const field of fields) {
      const parameter = FIELDS[field]?.[1];
      if (parameter) input[parameter] = desired.properties[field];
    }
    if (fields.has('vpcSecurityGroupIds')) {
      input.VpcSecurityGroupIds = securityGroups(desired.properties);
    }
    const { DBInstance: instance } = await ctx.clients.rds.send(
      new ModifyDBInstanceCommand(input as { DBInstanceIdentifier: string }),
    );
    if (!instance) return undefined;
    return {
      status: dbInstanceStatus(instance.DBInstanceStatus),
      attributes: attributesOf(instance),
    };
  },

  // a replica has no final snapshot: its data is the source's
  destroy: (ctx, observed) => deleteInstance(ctx, observed.id, { SkipFinalSnapshot: true }),

  stability: async (_ctx, observed) => observed.map(dbInstanceVerdict),

  findByName: byIdentifier(liveReplica),
});
