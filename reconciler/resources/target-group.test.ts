import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  observedTargetGroupProperties,
  type TargetGroupProperties,
  targetGroupHandler,
} from './target-group.ts';

const base: TargetGroupProperties = {
  name: 'app-api',
  protocol: 'HTTP',
  port: 3000,
  targetType: 'ip',
  vpcId: 'vpc-1',
  healthCheck: {
    path: '/healthz',
    matcher: '200',
    intervalSeconds: 15,
    timeoutSeconds: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
  },
  deregistrationDelaySeconds: 30,
};
const tags = { 'reconciler:stack': 'app' };

test('target-group diff', () => {
  const cases: Array<{
    reason: string;
    desired: TargetGroupProperties;
    observed: TargetGroupProperties;
    expected: Array<[string, boolean]>;
  }> = [
    {
      reason: 'identical target groups have no changes',
      desired: base,
      observed: base,
      expected: [],
    },
    {
      reason: 'a new port forces replacement',
      desired: { ...base, port: 8080 },
      observed: base,
      expected: [['port', true]],
    },
    {
      reason: 'a new VPC forces replacement',
      desired: { ...base, vpcId: 'vpc-2' },
      observed: base,
      expected: [['vpcId', true]],
    },
    {
      reason: 'a new name forces replacement',
      desired: { ...base, name: 'app-web' },
      observed: base,
      expected: [['name', true]],
    },
    {
      reason: 'health check settings update in place, one path each',
      desired: base,
      observed: { ...base, healthCheck: { ...base.healthCheck, path: '/', intervalSeconds: 30 } },
      expected: [
        ['healthCheck.intervalSeconds', false],
        ['healthCheck.path', false],
      ],
    },
    {
      reason: 'the deregistration delay updates in place',
      desired: base,
      observed: { ...base, deregistrationDelaySeconds: 300 },
      expected: [['deregistrationDelaySeconds', false]],
    },
  ];
  for (const { reason, desired, observed, expected } of cases) {
    const changes = targetGroupHandler.diff(desired, observed, tags, tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('target-group normalization ignores AWS defaults it does not manage', () => {
  const cases: Array<{
    reason: string;
    group: Parameters<typeof observedTargetGroupProperties>[0];
    attributes: Parameters<typeof observedTargetGroupProperties>[1];
    expected: TargetGroupProperties;
  }> = [
    {
      reason: 'extra attributes, health check protocol/port and protocol version are dropped',
      group: {
        TargetGroupName: 'app-api',
        Protocol: 'HTTP',
        ProtocolVersion: 'HTTP1',
        Port: 3000,
        TargetType: 'ip',
        VpcId: 'vpc-1',
        HealthCheckProtocol: 'HTTP',
        HealthCheckPort: 'traffic-port',
        HealthCheckEnabled: true,
        HealthCheckPath: '/healthz',
        Matcher: { HttpCode: '200' },
        HealthCheckIntervalSeconds: 15,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 3,
        LoadBalancerArns: ['arn:lb'],
      },
      attributes: [
        { Key: 'stickiness.enabled', Value: 'false' },
        { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
        { Key: 'load_balancing.algorithm.type', Value: 'round_robin' },
        { Key: 'slow_start.duration_seconds', Value: '0' },
      ],
      expected: base,
    },
  ];
  for (const { reason, group, attributes, expected } of cases) {
    assert.deepStrictEqual(observedTargetGroupProperties(group, attributes), expected, reason);
  }
});
