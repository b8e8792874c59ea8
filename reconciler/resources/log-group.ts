import {
  AssociateKmsKeyCommand,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DisassociateKmsKeyCommand,
  ListTagsForResourceCommand,
  type LogGroup,
  PutRetentionPolicyCommand,
  paginateDescribeLogGroups,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Tags } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { memoized } from './kit/memo.ts';
import { foundByName } from './kit/names.ts';
import { collect } from './kit/paginate.ts';
import { logsTagging, readTaggedArns } from './kit/tagging/logs.ts';
import type { FieldRule, ResourceContext } from './types.ts';

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

const NOT_FOUND = ['ResourceNotFoundException'];

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

type TaggedLogGroup = { group: LogGroup; tags: Tags };

function liveLogGroup({ group, tags }: TaggedLogGroup): Live<LogGroupProperties> {
  const name = group.logGroupName ?? '';
  return {
    id: name,
    properties: observedLogGroupProperties(group),
    tags,
    attributes: { arn: logGroupArn(group), name },
  };
}

/** describeLogGroups reads log groups (those starting with `prefix`), 50 a page. */
function describeLogGroups(ctx: ResourceContext, prefix?: string): Promise<LogGroup[]> {
  return collect(
    paginateDescribeLogGroups(
      { client: ctx.clients.logs, pageSize: 50 },
      prefix ? { logGroupNamePrefix: prefix } : {},
    ),
    (page) => page.logGroups,
  );
}

/** allLogGroups is every log group of the region, read once a pass (observe and the name look-up). */
function allLogGroups(ctx: ResourceContext): Promise<LogGroup[]> {
  return memoized(ctx, 'logs:DescribeLogGroups', () => describeLogGroups(ctx));
}

async function tagged(ctx: ResourceContext, group: LogGroup): Promise<TaggedLogGroup> {
  const listed = await ctx.clients.logs.send(
    new ListTagsForResourceCommand({ resourceArn: logGroupArn(group) }),
  );
  return { group, tags: listed.tags ?? {} };
}

/** setRetention keeps events `days` days, or forever when undefined. */
async function setRetention(ctx: ResourceContext, logGroupName: string, days?: number) {
  const { logs } = ctx.clients;
  await (days === undefined
    ? logs.send(new DeleteRetentionPolicyCommand({ logGroupName }))
    : logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: days })));
}

/**
 * logGroupHandler manages CloudWatch Logs log groups, identified by name (`id`), tagged at
 * creation. Observe is one tagging API read of the stacks' log groups and, when there are any,
 * one paginated DescribeLogGroups; names are unique, so a group that lost our tags is found by
 * its name in that same listing.
 */
export const logGroupHandler = defineKind<LogGroupProperties, TaggedLogGroup>({
  kind: 'log-group',
  fields: LOG_GROUP_FIELDS,
  tagging: logsTagging,
  tagTarget: (group) => group.attributes.arn ?? '',
  notFound: NOT_FOUND,
  alreadyExists: ['ResourceAlreadyExistsException'],
  iamActions: {
    read: ['tag:GetResources', 'logs:DescribeLogGroups', 'logs:ListTagsForResource'],
    write: [
      'logs:CreateLogGroup',
      'logs:PutRetentionPolicy',
      'logs:DeleteRetentionPolicy',
      'logs:AssociateKmsKey',
      'logs:DisassociateKmsKey',
      'logs:DeleteLogGroup',
    ],
  },

  async list(ctx) {
    const tagsByArn = await readTaggedArns(ctx, 'logs');
    if (tagsByArn.size === 0) return [];
    return (await allLogGroups(ctx)).flatMap((group) => {
      const tags = tagsByArn.get(logGroupArn(group));
      return tags ? [{ group, tags }] : [];
    });
  },

  toObserved: liveLogGroup,

  async create(ctx, desired) {
    const { name, retentionDays, kmsKeyArn } = desired.properties;
    await ctx.clients.logs.send(
      new CreateLogGroupCommand({
        logGroupName: name,
        tags: desired.tags,
        ...(kmsKeyArn ? { kmsKeyId: kmsKeyArn } : {}),
      }),
    );
    if (retentionDays !== undefined) await setRetention(ctx, name, retentionDays);
    const created = (await describeLogGroups(ctx, name)).find((g) => g.logGroupName === name);
    if (!created) throw new Error(`log group ${name} is missing right after its creation`);
    return liveLogGroup({ group: created, tags: desired.tags });
  },

  updaters: {
    retentionDays: (ctx, { properties }, { id }) => setRetention(ctx, id, properties.retentionDays),
    kmsKeyArn: async ({ clients: { logs } }, { properties: { kmsKeyArn } }, { id }) => {
      await (kmsKeyArn === undefined
        ? logs.send(new DisassociateKmsKeyCommand({ logGroupName: id }))
        : logs.send(new AssociateKmsKeyCommand({ logGroupName: id, kmsKeyId: kmsKeyArn })));
    },
  },

  async destroy(ctx, observed) {
    await ctx.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: observed.id }));
  },

  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await allLogGroups(ctx),
      nameOf: (group) => group.logGroupName,
      notFound: NOT_FOUND,
      read: (group) => tagged(ctx, group),
      toObserved: liveLogGroup,
    }),
});
