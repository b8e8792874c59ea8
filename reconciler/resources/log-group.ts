import {
  AssociateKmsKeyCommand,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DisassociateKmsKeyCommand,
  ListTagsForResourceCommand,
  type LogGroup,
  PutRetentionPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { errorCode, isNotFound } from '../aws/errors.ts';
import { isManagementTag, ownedBy, TAG_ADDRESS, TAG_STACK, tagListToMap } from '../aws/tags.ts';
import { diffProperties, diffTags } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import {
  changedFields,
  hasTagChanges,
  tagDelta,
  tagsAfterUpdate,
  wrapError,
} from './elbv2-common.ts';
import type {
  DeleteOptions,
  DesiredResource,
  FieldRule,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
  Tags,
} from './types.ts';

/** LogGroupProperties is a CloudWatch Logs log group as the spec and observe describe it. */
export type LogGroupProperties = {
  name: string;
  /** Days events are kept; absent means never expire. */
  retentionDays?: number;
  kmsKeyArn?: string;
};

/** LOG_GROUP_FIELDS: the name is the identity; retention and the KMS key change in place. */
export const LOG_GROUP_FIELDS: Record<string, FieldRule> = {
  name: 'replace',
  retentionDays: 'update',
  kmsKeyArn: 'update',
};

/** logGroupArn is the log group ARN without the `:*` DescribeLogGroups appends for IAM. */
export function logGroupArn(group: Pick<LogGroup, 'arn' | 'logGroupArn'>): string {
  return group.logGroupArn ?? (group.arn ?? '').replace(/:\*$/, '');
}

/** observedLogGroupProperties normalizes a DescribeLogGroups entry to the desired shape. */
export function observedLogGroupProperties(group: LogGroup): LogGroupProperties {
  const properties: LogGroupProperties = { name: group.logGroupName ?? '' };
  if (group.retentionInDays !== undefined) properties.retentionDays = group.retentionInDays;
  if (group.kmsKeyId) properties.kmsKeyArn = group.kmsKeyId;
  return properties;
}

function toObserved(
  group: LogGroup,
  owner: { stack: string; address: string },
  tags: Tags,
): ObservedResource<LogGroupProperties> {
  const name = group.logGroupName ?? '';
  const arn = logGroupArn(group);
  return {
    address: owner.address,
    kind: 'log-group',
    stack: owner.stack,
    id: name,
    properties: observedLogGroupProperties(group),
    tags,
    status: 'ready',
    attributes: { id: name, arn, name },
  };
}

/** TAG_FILTER_MAX_VALUES is the most values one tagging API tag filter accepts. */
const TAG_FILTER_MAX_VALUES = 20;

/**
 * readOwnedTags reads the tags of every log group owned by ctx.stacks with one paginated
 * Resource Groups Tagging API call. The filter names the stacks (with more than 20 stacks,
 * any value of the stack tag, filtered here). The type filter is the service (`logs`), which
 * AWS and moto both accept; entries that are not log groups are dropped by ARN.
 */
async function readOwnedTags(ctx: ResourceContext): Promise<Map<string, Tags>> {
  const tagsByArn = new Map<string, Tags>();
  let token: string | undefined;
  do {
    const page = await ctx.clients.tagging.send(
      new GetResourcesCommand({
        TagFilters: [
          ctx.stacks.length <= TAG_FILTER_MAX_VALUES
            ? { Key: TAG_STACK, Values: [...ctx.stacks] }
            : { Key: TAG_STACK },
        ],
        ResourceTypeFilters: ['logs'],
        ResourcesPerPage: 100,
        ...(token ? { PaginationToken: token } : {}),
      }),
    );
    for (const mapping of page.ResourceTagMappingList ?? []) {
      const arn = mapping.ResourceARN?.replace(/:\*$/, '');
      if (arn?.includes(':log-group:')) tagsByArn.set(arn, tagListToMap(mapping.Tags));
    }
    token = page.PaginationToken || undefined;
  } while (token);
  return tagsByArn;
}

async function describeAllLogGroups(
  ctx: ResourceContext,
  namePrefix?: string,
): Promise<LogGroup[]> {
  const groups: LogGroup[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.clients.logs.send(
      new DescribeLogGroupsCommand({
        limit: 50,
        ...(namePrefix ? { logGroupNamePrefix: namePrefix } : {}),
        ...(token ? { nextToken: token } : {}),
      }),
    );
    groups.push(...(page.logGroups ?? []));
    token = page.nextToken;
  } while (token);
  return groups;
}

async function observeAll(ctx: ResourceContext): Promise<ObservedResource<LogGroupProperties>[]> {
  if (ctx.stacks.length === 0) return [];
  const tagsByArn = await readOwnedTags(ctx);
  if (tagsByArn.size === 0) return [];
  const groups = await describeAllLogGroups(ctx);
  const observed: ObservedResource<LogGroupProperties>[] = [];
  for (const group of groups) {
    const tags = tagsByArn.get(logGroupArn(group));
    const owner = tags && ownedBy(tags, ctx.stacks);
    if (tags && owner) observed.push(toObserved(group, owner, tags));
  }
  return observed;
}

function diff(
  desired: LogGroupProperties,
  observed: LogGroupProperties,
  desiredTags: Tags,
  observedTags: Tags,
): FieldChange[] {
  return [
    ...diffProperties(desired, observed, LOG_GROUP_FIELDS),
    ...diffTags(desiredTags, observedTags),
  ];
}

/**
 * readExisting reads a log group that CreateLogGroup says exists. The tagging API that observe
 * reads is eventually consistent, so a group this stack created moments ago may be missing from
 * it: when the group carries our stack and address tags it is ours and the create carries on;
 * otherwise it belongs to someone else and the create fails.
 */
async function readExisting(
  ctx: ResourceContext,
  desired: DesiredResource<LogGroupProperties>,
): Promise<Tags> {
  const name = desired.properties.name;
  const existing = (await describeAllLogGroups(ctx, name)).find(
    (group) => group.logGroupName === name,
  );
  const tags = existing
    ? ((
        await ctx.clients.logs.send(
          new ListTagsForResourceCommand({ resourceArn: logGroupArn(existing) }),
        )
      ).tags ?? {})
    : {};
  if (tags[TAG_STACK] !== desired.stack || tags[TAG_ADDRESS] !== desired.address) {
    throw new Error(
      `log group ${name} already exists and is not owned by ${desired.address} of stack ${desired.stack}`,
    );
  }
  return tags;
}

async function create(
  ctx: ResourceContext,
  desired: DesiredResource<LogGroupProperties>,
): Promise<ObservedResource<LogGroupProperties>> {
  const { name, retentionDays, kmsKeyArn } = desired.properties;
  try {
    let tags = desired.tags;
    try {
      await ctx.clients.logs.send(
        new CreateLogGroupCommand({
          logGroupName: name,
          tags: desired.tags,
          ...(kmsKeyArn ? { kmsKeyId: kmsKeyArn } : {}),
        }),
      );
    } catch (err) {
      if (errorCode(err) !== 'ResourceAlreadyExistsException') throw err;
      tags = await readExisting(ctx, desired);
    }
    if (retentionDays !== undefined) {
      await ctx.clients.logs.send(
        new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: retentionDays }),
      );
    }
    const created = (await describeAllLogGroups(ctx, name)).find(
      (group) => group.logGroupName === name,
    );
    if (!created) throw new Error(`log group ${name} is missing right after its creation`);
    return toObserved(created, desired, tags);
  } catch (err) {
    throw wrapError(`cannot create log group ${name} (${desired.address})`, err);
  }
}

async function updateTags(
  ctx: ResourceContext,
  arn: string,
  desiredTags: Tags,
  observedTags: Tags,
): Promise<void> {
  const delta = tagDelta(desiredTags, observedTags);
  if (Object.keys(delta.set).length > 0) {
    await ctx.clients.logs.send(new TagResourceCommand({ resourceArn: arn, tags: delta.set }));
  }
  if (delta.remove.length > 0) {
    await ctx.clients.logs.send(
      new UntagResourceCommand({ resourceArn: arn, tagKeys: delta.remove }),
    );
  }
}

async function update(
  ctx: ResourceContext,
  desired: DesiredResource<LogGroupProperties>,
  observed: ObservedResource<LogGroupProperties>,
  changes: FieldChange[],
): Promise<ObservedResource<LogGroupProperties>> {
  const name = observed.id;
  const fields = changedFields(changes);
  const properties: LogGroupProperties = { ...observed.properties };
  try {
    if (fields.has('retentionDays')) {
      const days = desired.properties.retentionDays;
      if (days === undefined) {
        await ctx.clients.logs.send(new DeleteRetentionPolicyCommand({ logGroupName: name }));
        delete properties.retentionDays;
      } else {
        await ctx.clients.logs.send(
          new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: days }),
        );
        properties.retentionDays = days;
      }
    }
    if (fields.has('kmsKeyArn')) {
      const key = desired.properties.kmsKeyArn;
      if (key === undefined) {
        await ctx.clients.logs.send(new DisassociateKmsKeyCommand({ logGroupName: name }));
        delete properties.kmsKeyArn;
      } else {
        await ctx.clients.logs.send(
          new AssociateKmsKeyCommand({ logGroupName: name, kmsKeyId: key }),
        );
        properties.kmsKeyArn = key;
      }
    }
    let tags = observed.tags;
    if (hasTagChanges(changes)) {
      await updateTags(ctx, observed.attributes.arn!, desired.tags, observed.tags);
      tags = tagsAfterUpdate(desired.tags, observed.tags);
    }
    return { ...observed, properties, tags };
  } catch (err) {
    throw wrapError(`cannot update log group ${name} (${observed.address})`, err);
  }
}

/**
 * remove deletes the log group and its events. A log group has no snapshot, so the `snapshot`
 * policy (which the database passes on to its log groups) keeps it like `retain`: only our
 * `reconciler:*` tags are removed.
 */
async function remove(
  ctx: ResourceContext,
  observed: ObservedResource<LogGroupProperties>,
  options: DeleteOptions,
): Promise<void> {
  try {
    if (options.deletionPolicy === 'delete') {
      await ctx.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: observed.id }));
      return;
    }
    const keys = Object.keys(observed.tags).filter(isManagementTag).sort();
    if (keys.length > 0) {
      await ctx.clients.logs.send(
        new UntagResourceCommand({ resourceArn: observed.attributes.arn!, tagKeys: keys }),
      );
    }
  } catch (err) {
    if (isNotFound(err)) return;
    throw wrapError(`cannot delete log group ${observed.id} (${observed.address})`, err);
  }
}

/** logGroupHandler manages CloudWatch Logs log groups, identified by name (`id`), tagged at creation. */
export const logGroupHandler: ResourceHandler<LogGroupProperties> = {
  kind: 'log-group',
  fields: LOG_GROUP_FIELDS,
  observeAll,
  diff,
  create,
  update,
  delete: remove,
};
