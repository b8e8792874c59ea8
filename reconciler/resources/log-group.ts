import {
  AssociateKmsKeyCommand,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DisassociateKmsKeyCommand,
  type LogGroup,
  PutRetentionPolicyCommand,
  paginateDescribeLogGroups,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Tags } from '../aws/tags.ts';
import { call, defineKind, type Live } from './kit/define-kind.ts';
import { required } from './kit/errors.ts';
import { compact } from './kit/json.ts';
import { memoized } from './kit/memo.ts';
import { foundByName } from './kit/names.ts';
import { collect } from './kit/paginate.ts';
import { logGroupTags, logsTagging } from './kit/tagging/logs.ts';
import { readTaggedArns } from './kit/tagging/resource-groups.ts';
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

/** logGroupArn is the log group ARN without the `:*` DescribeLogGroups appends for IAM. */
export function logGroupArn(group: Pick<LogGroup, 'arn' | 'logGroupArn'>): string {
  return group.logGroupArn ?? (group.arn ?? '').replace(/:\*$/, '');
}

/** observedLogGroupProperties normalizes a DescribeLogGroups entry to the desired shape. */
export function observedLogGroupProperties(group: LogGroup): LogGroupProperties {
  const { logGroupName: name = '', retentionInDays: retentionDays, kmsKeyId } = group;
  return compact({ name, retentionDays, kmsKeyArn: kmsKeyId || undefined });
}

type TaggedLogGroup = { group: LogGroup; tags: Tags };

function liveLogGroup({ group, tags }: TaggedLogGroup): Live<LogGroupProperties> {
  const properties = observedLogGroupProperties(group);
  const { name } = properties;
  return { id: name, properties, tags, attributes: { arn: logGroupArn(group), name } };
}

/** describeLogGroups reads the log groups whose names start with `prefix` (every one without). */
function describeLogGroups(ctx: ResourceContext, prefix?: string): Promise<LogGroup[]> {
  const input = { logGroupNamePrefix: prefix };
  return collect(
    paginateDescribeLogGroups({ client: ctx.clients.logs }, input),
    (p) => p.logGroups,
  );
}

/** allLogGroups is every log group of the region, read once a pass (observe and the name look-up). */
function allLogGroups(ctx: ResourceContext): Promise<LogGroup[]> {
  return memoized(ctx, 'logs:DescribeLogGroups', () => describeLogGroups(ctx));
}

/**
 * logGroupHandler manages log groups, identified by name. Observe is one tagging API read and,
 * when the stacks own any, one DescribeLogGroups listing, which the look-up by name shares.
 */
export const logGroupHandler = defineKind<LogGroupProperties, TaggedLogGroup>({
  kind: 'log-group',
  outputs: (group) => ({ name: group.id }),
  fields: LOG_GROUP_FIELDS,
  tagging: logsTagging,
  tagTarget: (group) => group.attributes.arn ?? '',
  alreadyExists: ['ResourceAlreadyExistsException'],
  // CreateLogGroup takes no retention: its updater sets it
  updateAfterCreate: true,
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
    scope: {
      arn: 'arn:aws:logs:*:{account}:log-group:*',
      create: ['logs:CreateLogGroup'],
    },
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
    const { name, kmsKeyArn } = desired.properties;
    await ctx.clients.logs.send(
      new CreateLogGroupCommand({
        logGroupName: name,
        tags: desired.tags,
        kmsKeyId: kmsKeyArn || undefined,
      }),
    );
    const created = (await describeLogGroups(ctx, name)).find((g) => g.logGroupName === name);
    const group = required(created, `log group ${name} is missing right after its creation`);
    return liveLogGroup({ group, tags: desired.tags });
  },

  updaters: {
    retentionDays: call(({ clients: { logs } }, { retentionDays: days }, logGroupName) =>
      days === undefined
        ? logs.send(new DeleteRetentionPolicyCommand({ logGroupName }))
        : logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: days })),
    ),
    kmsKeyArn: call(({ clients: { logs } }, { kmsKeyArn }, logGroupName) =>
      kmsKeyArn === undefined
        ? logs.send(new DisassociateKmsKeyCommand({ logGroupName }))
        : logs.send(new AssociateKmsKeyCommand({ logGroupName, kmsKeyId: kmsKeyArn })),
    ),
  },

  async destroy(ctx, observed) {
    await ctx.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: observed.id }));
  },

  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await allLogGroups(ctx),
      nameOf: (group) => group.logGroupName,
      read: async (group) => ({ group, tags: await logGroupTags(ctx, logGroupArn(group)) }),
      toObserved: liveLogGroup,
    }),
});
