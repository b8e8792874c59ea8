import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  liveSubscription,
  snsSubscriptionHandler,
  subscriptionAddress,
} from './sns-subscription.ts';

const topic = {
  arn: 'arn:aws:sns:us-west-2:123456789012:shop-alarms',
  tags: {
    'reconciler:stack': 'shop',
    'reconciler:address': 'sns-topic.alarms',
    'reconciler:managed-by': 'reconciler',
    team: 'ops',
  },
};

test('subscriptionAddress names a subscription by protocol and endpoint, never by an https query', () => {
  const cases = [
    ['email', 'ops@example.com', 'sns-subscription.email-ops@example.com'],
    [
      'https',
      'https://hooks.example.com/alarms',
      'sns-subscription.https-hooks.example.com/alarms',
    ],
    [
      'https',
      'https://hooks.example.com/a?token=secret',
      'sns-subscription.https-hooks.example.com/a',
    ],
  ] as const;
  for (const [protocol, endpoint, address] of cases) {
    assert.equal(subscriptionAddress(protocol, endpoint), address, endpoint);
  }
});

test('liveSubscription: a confirmed one has its ARN, one pending confirmation is pending', () => {
  const confirmed = liveSubscription({
    topic,
    subscription: {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      SubscriptionArn: `${topic.arn}:0b1c`,
    },
  });
  assert.equal(confirmed?.status, 'ready');
  assert.equal(confirmed?.id, `${topic.arn}:0b1c`);
  assert.deepStrictEqual(confirmed?.owner, {
    stack: 'shop',
    address: 'sns-subscription.email-ops@example.com',
  });
  assert.equal(confirmed?.tags['reconciler:address'], 'sns-subscription.email-ops@example.com');
  assert.equal(confirmed?.tags.team, 'ops', 'observed with its topic tags');

  const pending = liveSubscription({
    topic,
    subscription: {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      SubscriptionArn: 'PendingConfirmation',
    },
  });
  assert.equal(pending?.status, 'pending');
  assert.equal(pending?.attributes?.confirmation, 'pending');
  assert.equal(pending?.id, 'PendingConfirmation:email:ops@example.com');

  assert.equal(
    liveSubscription({ topic, subscription: { Protocol: 'sqs', Endpoint: 'arn:aws:sqs:x' } }),
    undefined,
    'a protocol the spec cannot declare is not ours',
  );
});

test("a pending subscription is stable for apply --wait: confirming is a person's step", async () => {
  const verdicts = await snsSubscriptionHandler.stability?.({} as never, [
    {
      address: 'sns-subscription.email-ops@example.com',
      kind: 'sns-subscription',
      stack: 'shop',
      id: 'PendingConfirmation:email:ops@example.com',
      properties: { topicArn: topic.arn, protocol: 'email', endpoint: 'ops@example.com' },
      tags: {},
      status: 'pending',
      attributes: { confirmation: 'pending' },
    },
  ]);
  assert.deepStrictEqual(verdicts, [
    {
      stack: 'shop',
      address: 'sns-subscription.email-ops@example.com',
      state: 'stable',
      detail: 'pending confirmation by the endpoint',
    },
  ]);
});
