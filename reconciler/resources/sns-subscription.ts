import {
  paginateListSubscriptionsByTopic,
  SubscribeCommand,
  type Subscription,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { TAG_ADDRESS, TAG_STACK } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { collect } from './kit/paginate.ts';
import { readEach } from './kit/read-each.ts';
import { resolved } from './kit/refs.ts';
import type { TaggingFamily } from './kit/tagging/delta.ts';
import { SNS_NOT_FOUND, type TaggedTopic, taggedTopics } from './sns-topic.ts';
import type { FieldRule, Ref } from './types.ts';

/** SnsSubscriptionProperties is one subscription of a topic: where its messages go. */
export type SnsSubscriptionProperties = {
  topicArn: string | Ref;
  protocol: 'email' | 'https';
  endpoint: string;
};

/** SNS_SUBSCRIPTION_FIELDS: a subscription has no settings of its own here; any change is a new one. */
export const SNS_SUBSCRIPTION_FIELDS: Record<string, FieldRule> = {
  topicArn: 'replace',
  protocol: 'replace',
  endpoint: 'replace',
};

/** PENDING_CONFIRMATION is what SNS lists as the ARN of a subscription nobody has confirmed yet. */
export const PENDING_CONFIRMATION = 'PendingConfirmation';

/**
 * subscriptionAddress is a subscription's address, derived from where it sends (SNS keeps no
 * tags on subscriptions, so observe finds the address from the endpoint): the protocol, then the
 * endpoint without an https URL's scheme, query or fragment (which may carry a token).
 */
export function subscriptionAddress(protocol: string, endpoint: string): string {
  const where =
    protocol === 'https' ? endpoint.replace(/^https:\/\//i, '').replace(/[?#].*$/, '') : endpoint;
  return `sns-subscription.${protocol}-${where}`;
}

/**
 * inheritedTagging: SNS subscriptions take no tags; they belong to their topic, whose tags say
 * the stack, and are observed with them. Writing a subscription's tags writes nothing.
 */
const inheritedTagging: TaggingFamily = {
  family: 'sns-subscription',
  iamActions: [],
  async write() {},
};

type TopicSubscription = { topic: TaggedTopic; subscription: Subscription };

/**
 * liveSubscription maps a listed subscription of an owned topic; one nobody confirmed yet (an
 * email whose link was not followed, an HTTPS endpoint that did not answer) has no ARN and is
 * observed as pending, with the `confirmation` attribute saying so.
 */
export function liveSubscription({
  topic,
  subscription,
}: TopicSubscription): Live<SnsSubscriptionProperties> | undefined {
  const { Protocol: protocol, Endpoint: endpoint = '', SubscriptionArn: arn = '' } = subscription;
  if (protocol !== 'email' && protocol !== 'https') return undefined;
  const stack = topic.tags[TAG_STACK];
  if (stack === undefined) return undefined;
  const address = subscriptionAddress(protocol, endpoint);
  return {
    ...byArn(arn, protocol, endpoint),
    properties: { topicArn: topic.arn, protocol, endpoint },
    tags: { ...topic.tags, [TAG_ADDRESS]: address },
    owner: { stack, address },
  };
}

/**
 * byArn is a subscription's id, status and attributes from its ARN: one pending confirmation has
 * none (SNS lists `PendingConfirmation`, Subscribe answers `pending confirmation`) and is named
 * by its protocol and endpoint.
 */
function byArn(arn: string, protocol: string, endpoint: string) {
  const pending = arn === PENDING_CONFIRMATION || arn.toLowerCase() === 'pending confirmation';
  return {
    id: pending ? `${PENDING_CONFIRMATION}:${protocol}:${endpoint}` : arn,
    status: pending ? ('pending' as const) : ('ready' as const),
    attributes: { arn: pending ? '' : arn, confirmation: pending ? 'pending' : 'confirmed' },
  };
}

/**
 * snsSubscriptionHandler manages the email and HTTPS subscriptions of the stack's topic: one
 * ListSubscriptionsByTopic per owned topic. Subscribe is idempotent for the same topic,
 * protocol and endpoint. A subscription pending confirmation cannot be unsubscribed (it has no
 * ARN yet): SNS drops it after three days, or with its topic.
 */
export const snsSubscriptionHandler = defineKind<SnsSubscriptionProperties, TopicSubscription>({
  kind: 'sns-subscription',
  fields: SNS_SUBSCRIPTION_FIELDS,
  after: ['sns-topic'],
  tagging: inheritedTagging,
  notFound: SNS_NOT_FOUND,
  iamActions: {
    read: ['tag:GetResources', 'sns:ListSubscriptionsByTopic'],
    write: ['sns:Subscribe', 'sns:Unsubscribe'],
    // Subscribe and Unsubscribe are authorized on the topic, by its tags
    scope: { arn: 'arn:aws:sns:*:{account}:*' },
  },

  async list(ctx) {
    const perTopic = await readEach(await taggedTopics(ctx), SNS_NOT_FOUND, async (topic) => {
      const pages = paginateListSubscriptionsByTopic(
        { client: ctx.clients.sns },
        { TopicArn: topic.arn },
      );
      const subscriptions = await collect(pages, (page) => page.Subscriptions);
      return subscriptions.map((subscription) => ({ topic, subscription }));
    });
    return perTopic.flat();
  },

  toObserved: liveSubscription,

  async create(ctx, desired) {
    const { protocol, endpoint } = desired.properties;
    const topicArn = resolved(desired.properties.topicArn, `${desired.address} topicArn`);
    const subscribed = await ctx.clients.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: endpoint }),
    );
    return {
      ...byArn(subscribed.SubscriptionArn ?? PENDING_CONFIRMATION, protocol, endpoint),
      properties: { topicArn, protocol, endpoint },
    };
  },

  async destroy(ctx, observed) {
    if (observed.attributes.confirmation === 'pending') {
      ctx.log.warn(
        { address: observed.address },
        'a subscription pending confirmation cannot be unsubscribed: SNS deletes it after three days or with its topic',
      );
      return;
    }
    await ctx.clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: observed.id }));
  },

  async stability(_ctx, observed) {
    // confirming is a person's step (or the endpoint's): waiting for it would never end
    return observed.map((subscription) => ({
      stack: subscription.stack,
      address: subscription.address,
      state: 'stable' as const,
      ...(subscription.attributes.confirmation === 'pending'
        ? { detail: 'pending confirmation by the endpoint' }
        : {}),
    }));
  },
});
