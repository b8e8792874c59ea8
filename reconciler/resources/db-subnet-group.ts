import {
  CreateDBSubnetGroupCommand,
  type DBSubnetGroup,
  DeleteDBSubnetGroupCommand,
  DescribeDBSubnetGroupsCommand,
  ListTagsForResourceCommand,
  ModifyDBSubnetGroupCommand,
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
  FieldRule,
  ObservedResource,
  Ref,
  ResourceContext,
  ResourceHandler,
  Tags,
} from './types.ts';

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

function observedGroup(
  stack: string,
  address: string,
  group: DBSubnetGroup,
  tags: Tags,
): ObservedResource<DbSubnetGroupProperties> {
  const name = group.DBSubnetGroupName ?? '';
  return {
    address,
    kind: 'db-subnet-group',
    stack,
    id: name,
    properties: {
      name,
      description: group.DBSubnetGroupDescription ?? '',
      subnetIds: sortedStrings(
        (group.Subnets ?? []).map((subnet) => subnet.SubnetIdentifier ?? ''),
      ),
    },
    tags,
    status: 'ready',
    attributes: { id: name, arn: group.DBSubnetGroupArn ?? '', name },
  };
}

function resolvedSubnets(properties: DbSubnetGroupProperties): string[] {
  return properties.subnetIds.map((subnet) => {
    if (typeof subnet !== 'string')
      throw new Error(`subnet is an unresolved reference to ${subnet.$ref}`);
    return subnet;
  });
}

function failure(action: string, name: string, err: unknown): Error {
  return new Error(
    `cannot ${action} db subnet group ${name}: ${errorCode(err) ?? (err as Error).message}`,
    { cause: err },
  );
}

/**
 * dbSubnetGroupHandler manages the database's subnet group (`db-subnet-group.main`, `<stack>-db`).
 * RDS has no batch tag read for subnet groups and the tagging API misses them, so observe is one
 * paginated DescribeDBSubnetGroups plus one ListTagsForResource per group named `<stack>-...` of a
 * stack in scope (one per stack in practice).
 */
export const dbSubnetGroupHandler: ResourceHandler<DbSubnetGroupProperties> = {
  kind: 'db-subnet-group',
  fields: DB_SUBNET_GROUP_FIELDS,

  async observeAll(ctx: ResourceContext) {
    const groups = await paginate(async (marker) => {
      const page = await ctx.clients.rds.send(
        new DescribeDBSubnetGroupsCommand({ Marker: marker }),
      );
      return { items: page.DBSubnetGroups, nextToken: page.Marker };
    });
    const candidates = groups.filter((group) =>
      ctx.stacks.some((stack) => (group.DBSubnetGroupName ?? '').startsWith(`${stack}-`)),
    );
    const observed = await Promise.all(
      candidates.map(async (group) => {
        const listed = await ctx.clients.rds.send(
          new ListTagsForResourceCommand({ ResourceName: group.DBSubnetGroupArn }),
        );
        const tags = tagListToMap(listed.TagList);
        const owner = ownedBy(tags, ctx.stacks);
        if (!owner || kindOf(owner.address) !== 'db-subnet-group') return undefined;
        return observedGroup(owner.stack, owner.address, group, tags);
      }),
    );
    return observed.filter((group) => group !== undefined);
  },

  diff(desired, observed, desiredTags: Tags, observedTags: Tags): FieldChange[] {
    return [
      ...diffProperties(
        { ...desired, subnetIds: sortedStrings(desired.subnetIds) },
        { ...observed, subnetIds: sortedStrings(observed.subnetIds) },
        DB_SUBNET_GROUP_FIELDS,
      ),
      ...diffTags(desiredTags, observedTags),
    ];
  },

  async create(ctx, desired) {
    const properties = desired.properties;
    try {
      const output = await ctx.clients.rds.send(
        new CreateDBSubnetGroupCommand({
          DBSubnetGroupName: properties.name,
          DBSubnetGroupDescription: properties.description,
          SubnetIds: resolvedSubnets(properties),
          Tags: tagMapToList(desired.tags),
        }),
      );
      if (!output.DBSubnetGroup) throw new Error('CreateDBSubnetGroup returned no group');
      return observedGroup(desired.stack, desired.address, output.DBSubnetGroup, {
        ...desired.tags,
      });
    } catch (err) {
      throw failure('create', properties.name, err);
    }
  },

  async update(ctx, desired, observed, changes) {
    const fields = changedFields(changes);
    try {
      let group: DBSubnetGroup | undefined;
      if (fields.has('subnetIds') || fields.has('description')) {
        const output = await ctx.clients.rds.send(
          new ModifyDBSubnetGroupCommand({
            DBSubnetGroupName: observed.id,
            DBSubnetGroupDescription: desired.properties.description,
            SubnetIds: resolvedSubnets(desired.properties),
          }),
        );
        group = output.DBSubnetGroup;
      }
      if (hasTagChanges(changes)) {
        await syncRdsTags(ctx, observed.attributes.arn ?? '', desired.tags, observed.tags);
      }
      const tags = { ...desired.tags };
      return group
        ? observedGroup(desired.stack, desired.address, group, tags)
        : { ...observed, tags };
    } catch (err) {
      throw failure('update', observed.id, err);
    }
  },

  async delete(ctx, observed, options: DeleteOptions) {
    try {
      if (options.deletionPolicy === 'retain') {
        await removeRdsManagementTags(ctx, observed.attributes.arn ?? '', observed.tags);
        return;
      }
      await ctx.clients.rds.send(
        new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: observed.id }),
      );
    } catch (err) {
      if (isNotFound(err)) return;
      throw failure('delete', observed.id, err);
    }
  },
};
