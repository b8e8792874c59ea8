import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  actionInput,
  type ListenerAction,
  type ListenerProperties,
  listenerHandler,
  observedAction,
  observedListenerProperties,
} from './listener.ts';

const base: ListenerProperties = {
  loadBalancerArn: 'arn:lb',
  protocol: 'HTTP',
  port: 80,
  defaultAction: { type: 'forward', targetGroupArn: 'arn:tg-api' },
  rules: [
    { priority: 10, pathPatterns: ['/v2/*'], targetGroupArn: 'arn:tg-v2' },
    { priority: 20, pathPatterns: ['/v3/*'], targetGroupArn: 'arn:tg-v3' },
  ],
};
const https: ListenerProperties = {
  ...base,
  protocol: 'HTTPS',
  port: 443,
  certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/c',
  sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
};
const tags = { 'reconciler:stack': 'app' };

test('listener diff', () => {
  const cases: Array<{
    reason: string;
    desired: ListenerProperties;
    observed: ListenerProperties;
    expected: Array<[string, boolean]>;
  }> = [
    { reason: 'identical listeners have no changes', desired: base, observed: base, expected: [] },
    {
      reason: 'rule order does not matter, priority does',
      desired: { ...base, rules: [...base.rules].reverse() },
      observed: base,
      expected: [],
    },
    {
      reason: 'another load balancer forces replacement',
      desired: { ...base, loadBalancerArn: 'arn:lb2' },
      observed: base,
      expected: [['loadBalancerArn', true]],
    },
    {
      reason: 'port and default action update in place',
      desired: {
        ...base,
        port: 8080,
        defaultAction: { type: 'forward', targetGroupArn: 'arn:tg-v2' },
      },
      observed: base,
      expected: [
        ['defaultAction.targetGroupArn', false],
        ['port', false],
      ],
    },
    {
      reason: 'a redirect instead of a forward updates in place',
      desired: {
        ...base,
        defaultAction: { type: 'redirect', protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' },
      },
      observed: base,
      expected: [
        ['defaultAction.port', false],
        ['defaultAction.protocol', false],
        ['defaultAction.statusCode', false],
        ['defaultAction.targetGroupArn', false],
        ['defaultAction.type', false],
      ],
    },
    {
      reason: 'a new certificate and TLS policy update in place',
      desired: {
        ...https,
        certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/d',
        sslPolicy: 'ELBSecurityPolicy-2016-08',
      },
      observed: https,
      expected: [
        ['certificateArn', false],
        ['sslPolicy', false],
      ],
    },
    {
      reason: 'a rule removed from the spec shows at its position',
      desired: { ...base, rules: [base.rules[0]!] },
      observed: base,
      expected: [['rules[1]', false]],
    },
  ];
  for (const { reason, desired, observed, expected } of cases) {
    const changes = listenerHandler.diff(desired, observed, tags, tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('listener normalization', () => {
  const cases: Array<{ reason: string; actual: unknown; expected: unknown }> = [
    {
      reason:
        'forward through ForwardConfig; default rule dropped; rules sorted; HTTPS settings kept',
      actual: observedListenerProperties(
        {
          ListenerArn: 'arn:l',
          LoadBalancerArn: 'arn:lb',
          Protocol: 'HTTPS',
          Port: 443,
          Certificates: [{ CertificateArn: https.certificateArn }],
          SslPolicy: https.sslPolicy,
          DefaultActions: [
            {
              Type: 'forward',
              Order: 1,
              ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'arn:tg-api', Weight: 1 }] },
            },
          ],
        },
        [
          {
            RuleArn: 'r0',
            Priority: 'default',
            IsDefault: true,
            Actions: [{ Type: 'forward', TargetGroupArn: 'arn:tg-api' }],
          },
          {
            RuleArn: 'r2',
            Priority: '20',
            IsDefault: false,
            Conditions: [{ Field: 'path-pattern', Values: ['/v3/*'] }],
            Actions: [{ Type: 'forward', TargetGroupArn: 'arn:tg-v3' }],
          },
          {
            RuleArn: 'r1',
            Priority: '10',
            IsDefault: false,
            Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/v2/*'] } }],
            Actions: [{ Type: 'forward', TargetGroupArn: 'arn:tg-v2' }],
          },
        ],
      ),
      expected: https,
    },
    {
      reason: 'the host, path and query AWS fills into a redirect are not part of the action',
      actual: observedAction({
        Type: 'redirect',
        RedirectConfig: {
          Protocol: 'HTTPS',
          Port: '443',
          Host: '#{host}',
          Path: '/#{path}',
          Query: '#{query}',
          StatusCode: 'HTTP_301',
        },
      }),
      expected: { type: 'redirect', protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' },
    },
  ];
  for (const { reason, actual, expected } of cases)
    assert.deepStrictEqual(actual, expected, reason);
});

test('listener actions round-trip through the ELBv2 shape', () => {
  const cases: Array<{ reason: string; action: ListenerAction }> = [
    { reason: 'forward', action: { type: 'forward', targetGroupArn: 'arn:tg' } },
    {
      reason: 'redirect',
      action: { type: 'redirect', protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' },
    },
    {
      reason: 'fixed response',
      action: { type: 'fixed-response', statusCode: '404', contentType: 'text/plain' },
    },
  ];
  for (const { reason, action } of cases) {
    assert.deepStrictEqual(observedAction(actionInput(action)[0]), action, reason);
  }
});
