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
import { errorCode } from '../aws/errors.ts';
import { TAG_ADDRESS, TAG_STACK, type Tags } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { failure } from './kit/errors.ts';
import { memoized } from './kit/memo.ts';
import { foundByName } from './kit/names.ts';
import { collect } from './kit/paginate.ts';
import { logsTagging, readTaggedArns } from './kit/tagging/logs.ts';
import type { DesiredResource, FieldRule, ResourceContext } from './types.ts';

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

/**
 * existingOwnTags reads a log group that CreateLogGroup says exists. The tagging API that observe
 * reads is eventually consistent, so a group this stack created moments ago may be missing from
 * it: when the group carries our stack and address tags it is ours and the create carries on;
 * otherwise it belongs to someone else and the create fails.
 */
async function existingOwnTags(ctx: ResourceContext, desired: DesiredResource<LogGroupProperties>) {
  const { name } = desired.properties;
  const existing = (await describeLogGroups(ctx, name)).find((g) => g.logGroupName === name);
  const tags = existing ? (await tagged(ctx, existing)).tags : {};
  if (tags[TAG_STACK] !== desired.stack || tags[TAG_ADDRESS] !== desired.address) {
    throw failure(
      `cannot create ${desired.address}: log group ${name} already exists and is not owned by ${desired.address} of stack ${desired.stack}`,
      { kind: 'log-group', address: desired.address, operation: 'create', disposition: 'terminal' },
    );
  }
  return tags;
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
  after: [],
  tagging: logsTagging,
  tagTarget: (group) => group.attributes.arn ?? '',
  notFound: NOT_FOUND,
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
      tags = await existingOwnTags(ctx, desired);
    }
    if (retentionDays !== undefined) {
      await ctx.clients.logs.send(
        new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: retentionDays }),
      );
    }
    const created = (await describeLogGroups(ctx, name)).find((g) => g.logGroupName === name);
    if (!created) throw new Error(`log group ${name} is missing right after its creation`);
    return liveLogGroup({ group: created, tags });
  },

  updaters: {
    retentionDays: async (ctx, { properties: { retentionDays } }, { id: logGroupName }) => {
      if (retentionDays === undefined) {
        await ctx.clients.logs.send(new DeleteRetentionPolicyCommand({ logGroupName }));
      } else {
        await ctx.clients.logs.send(
          new PutRetentionPolicyCommand({ logGroupName, retentionInDays: retentionDays }),
        );
      }
    },
    kmsKeyArn: async (ctx, { properties: { kmsKeyArn } }, { id: logGroupName }) => {
      if (kmsKeyArn === undefined) {
        await ctx.clients.logs.send(new DisassociateKmsKeyCommand({ logGroupName }));
      } else {
        await ctx.clients.logs.send(
          new AssociateKmsKeyCommand({ logGroupName, kmsKeyId: kmsKeyArn }),
        );
      }
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
