import {
  CreateTopicCommand,
  DeleteTopicCommand,
  ListTagsForResourceCommand,
  paginateListTopics,
} from '@aws-sdk/client-sns';
import { type Tags, tagListToMap, tagMapToList } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { required } from './kit/errors.ts';
import { memoized } from './kit/memo.ts';
import { foundByName } from './kit/names.ts';
import { collect } from './kit/paginate.ts';
import { readTaggedArns } from './kit/tagging/resource-groups.ts';
import { snsTagging } from './kit/tagging/sns.ts';
import type { FieldRule, ResourceContext } from './types.ts';

/** SnsTopicProperties is an SNS topic as the spec and observe describe it. */
export type SnsTopicProperties = {
  name: string;
};

/** SNS_TOPIC_FIELDS: the name is the topic's identity (its ARN ends with it). */
export const SNS_TOPIC_FIELDS: Record<string, FieldRule> = { name: 'replace' };

/** SNS_NOT_FOUND: SNS says NotFound for a topic (and its subscriptions) that is gone. */
export const SNS_NOT_FOUND = ['NotFound', 'NotFoundException'];

/** TaggedTopic is one topic ARN with its tags. */
export type TaggedTopic = { arn: string; tags: Tags };

/** topicName is the last part of a topic ARN (arn:aws:sns:<region>:<account>:<name>). */
export function topicName(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

/**
 * taggedTopics is every SNS topic tagged for ctx.stacks with its tags: one Resource Groups
 * Tagging API read a pass, shared with the subscriptions, which belong to their topic.
 */
export function taggedTopics(ctx: ResourceContext): Promise<TaggedTopic[]> {
  return memoized(ctx, 'sns:topics', async () =>
    [...(await readTaggedArns(ctx, 'sns'))]
      .filter(([arn]) => arn.split(':').length === 6)
      .map(([arn, tags]) => ({ arn, tags })),
  );
}

function liveTopic({ arn, tags }: TaggedTopic): Live<SnsTopicProperties> {
  const name = topicName(arn);
  return { id: arn, properties: { name }, tags, attributes: { arn, name } };
}

/**
 * snsTopicHandler manages the SNS topic a stack's alarms notify. CreateTopic is idempotent by
 * name (with the same tags it returns the existing topic), and takes the tags at creation.
 */
export const snsTopicHandler = defineKind<SnsTopicProperties, TaggedTopic>({
  kind: 'sns-topic',
  fields: SNS_TOPIC_FIELDS,
  tagging: snsTagging,
  notFound: SNS_NOT_FOUND,
  iamActions: {
    read: ['tag:GetResources', 'sns:ListTopics', 'sns:ListTagsForResource'],
    write: ['sns:CreateTopic', 'sns:DeleteTopic'],
    scope: { arn: 'arn:aws:sns:*:{account}:*', create: ['sns:CreateTopic'] },
  },

  list: taggedTopics,
  toObserved: liveTopic,

  async create(ctx, desired) {
    const created = await ctx.clients.sns.send(
      new CreateTopicCommand({
        Name: desired.properties.name,
        Tags: tagMapToList(desired.tags),
      }),
    );
    const arn = required(created.TopicArn, `CreateTopic returned no ARN for ${desired.address}`);
    return liveTopic({ arn, tags: desired.tags });
  },

  async destroy(ctx, observed) {
    // deleting a topic deletes its subscriptions, pending ones included
    await ctx.clients.sns.send(new DeleteTopicCommand({ TopicArn: observed.id }));
  },

  // CreateTopic returns a topic of the name whoever made it: one not ours must be found first
  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await collect(paginateListTopics({ client: ctx.clients.sns }, {}), (page) =>
        page.Topics?.map((topic) => topic.TopicArn ?? ''),
      ),
      nameOf: topicName,
      notFound: SNS_NOT_FOUND,
      read: async (arn) => {
        const listed = await ctx.clients.sns.send(
          new ListTagsForResourceCommand({ ResourceArn: arn }),
        );
        return { arn, tags: tagListToMap(listed.Tags) };
      },
      toObserved: liveTopic,
    }),
});
