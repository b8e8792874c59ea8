import {
  CreateDBSubnetGroupCommand,
  type DBSubnetGroup,
  DeleteDBSubnetGroupCommand,
  ModifyDBSubnetGroupCommand,
  paginateDescribeDBSubnetGroups,
} from '@aws-sdk/client-rds';
import { type Tags, tagMapToList } from '../aws/tags.ts';
import { call, defineKind, type Live } from './kit/define-kind.ts';
import { required } from './kit/errors.ts';
import { sortedValues, sortingSets } from './kit/json.ts';
import { memoized } from './kit/memo.ts';
import { foundByName } from './kit/names.ts';
import { collect } from './kit/paginate.ts';
import { resolved } from './kit/refs.ts';
import { rdsTagging, rdsTags } from './kit/tagging/rds.ts';
import { readTaggedArns } from './kit/tagging/resource-groups.ts';
import type { FieldRule, Ref, ResourceContext } from './types.ts';

/** DbSubnetGroupProperties: the group name (`<stack>-db`), its description and the private subnets. */
export interface DbSubnetGroupProperties extends Record<string, unknown> {
  name: string;
  description: string;
  subnetIds: (string | Ref)[];
}

/** DB_SUBNET_GROUP_FIELDS: the name is the identity (replace); ModifyDBSubnetGroup changes the rest. */
export const DB_SUBNET_GROUP_FIELDS: Record<keyof DbSubnetGroupProperties, FieldRule> = {
  name: 'replace',
  description: 'update',
  subnetIds: 'update',
};

const NOT_FOUND = ['DBSubnetGroupNotFoundFault'];

type TaggedGroup = { group: DBSubnetGroup; tags: Tags };

function liveGroup({ group, tags }: TaggedGroup): Live<DbSubnetGroupProperties> {
  const name = group.DBSubnetGroupName ?? '';
  return {
    id: name,
    properties: {
      name,
      description: group.DBSubnetGroupDescription ?? '',
      subnetIds: sortedValues((group.Subnets ?? []).map((subnet) => subnet.SubnetIdentifier ?? '')),
    },
    tags,
    attributes: { arn: group.DBSubnetGroupArn ?? '', name },
  };
}

function subnetIds(properties: DbSubnetGroupProperties): string[] {
  return properties.subnetIds.map((subnet) => resolved(subnet, 'subnet'));
}

/**
 * dbSubnetGroupHandler manages the database's subnet group (`db-subnet-group.main`, `<stack>-db`).
 * Observe is one paginated DescribeDBSubnetGroups, with the tags of every group of the stacks in
 * scope from the pass's one tagging API read (RDS itself has no batch tag read for subnet groups).
 */
export const dbSubnetGroupHandler = defineKind<DbSubnetGroupProperties, TaggedGroup>({
  kind: 'db-subnet-group',
  fields: DB_SUBNET_GROUP_FIELDS,
  after: ['subnet'],
  tagging: rdsTagging,
  tagTarget: (group) => group.attributes.arn ?? '',
  notFound: NOT_FOUND,
  alreadyExists: ['DBSubnetGroupAlreadyExists', 'DBSubnetGroupAlreadyExistsFault'],
  iamActions: {
    read: ['rds:DescribeDBSubnetGroups', 'tag:GetResources', 'rds:ListTagsForResource'],
    write: ['rds:CreateDBSubnetGroup', 'rds:ModifyDBSubnetGroup', 'rds:DeleteDBSubnetGroup'],
    scope: {
      arn: 'arn:aws:rds:*:{account}:subgrp:{stack}-*',
      create: ['rds:CreateDBSubnetGroup'],
    },
  },

  async list(ctx) {
    const [groups, tagsByArn] = await Promise.all([
      allGroups(ctx),
      readTaggedArns(ctx, 'rds:subgrp'),
    ]);
    return groups.flatMap((group) => {
      const tags = tagsByArn.get(group.DBSubnetGroupArn ?? '');
      return tags ? [{ group, tags }] : [];
    });
  },

  toObserved: liveGroup,

  normalize: sortingSets('subnetIds'),

  async create(ctx, desired) {
    const output = await ctx.clients.rds.send(
      new CreateDBSubnetGroupCommand({
        DBSubnetGroupName: desired.properties.name,
        DBSubnetGroupDescription: desired.properties.description,
        SubnetIds: subnetIds(desired.properties),
        Tags: tagMapToList(desired.tags),
      }),
    );
    const group = required(output.DBSubnetGroup, 'CreateDBSubnetGroup returned no group');
    return liveGroup({ group, tags: { ...desired.tags } });
  },

  /** One ModifyDBSubnetGroup sets the description and the subnets together. */
  update: call((ctx, properties, name) =>
    ctx.clients.rds.send(
      new ModifyDBSubnetGroupCommand({
        DBSubnetGroupName: name,
        DBSubnetGroupDescription: properties.description,
        SubnetIds: subnetIds(properties),
      }),
    ),
  ),

  async destroy(ctx, observed) {
    await ctx.clients.rds.send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: observed.id }));
  },

  /** Names are unique per region: a group holding a desired name, whatever its tags. */
  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await allGroups(ctx),
      nameOf: (group) => group.DBSubnetGroupName,
      notFound: NOT_FOUND,
      read: (group) => withTags(ctx, group),
      toObserved: liveGroup,
    }),
});

/** allGroups is every DB subnet group of the region, read once a pass (observe and the name look-up). */
function allGroups(ctx: ResourceContext): Promise<DBSubnetGroup[]> {
  return memoized(ctx, 'rds:DescribeDBSubnetGroups', () =>
    collect(
      paginateDescribeDBSubnetGroups({ client: ctx.clients.rds }, {}),
      (page) => page.DBSubnetGroups,
    ),
  );
}

async function withTags(ctx: ResourceContext, group: DBSubnetGroup): Promise<TaggedGroup> {
  return { group, tags: await rdsTags(ctx, group.DBSubnetGroupArn) };
}
