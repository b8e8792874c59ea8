import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UNKNOWN } from '../plan/types.ts';
import {
  type LoadBalancerProperties,
  loadBalancerHandler,
  loadBalancerStatus,
  observedLoadBalancerProperties,
} from './load-balancer.ts';

const base: LoadBalancerProperties = {
  name: 'app',
  scheme: 'internet-facing',
  type: 'application',
  subnets: ['subnet-a', 'subnet-b'],
  securityGroups: ['sg-1'],
  idleTimeoutSeconds: 60,
};
const tags = { 'reconciler:stack': 'app', team: 'web' };

test('load-balancer diff', () => {
  const cases: Array<{
    reason: string;
    desired: LoadBalancerProperties;
    observed: LoadBalancerProperties;
    observedTags?: Record<string, string>;
    expected: Array<[string, boolean]>;
  }> = [
    {
      reason: 'identical load balancers have no changes',
      desired: base,
      observed: base,
      expected: [],
    },
    {
      reason: 'subnet order does not matter',
      desired: { ...base, subnets: ['subnet-b', 'subnet-a'] },
      observed: base,
      expected: [],
    },
    {
      reason: 'a new name forces replacement',
      desired: { ...base, name: 'web' },
      observed: base,
      expected: [['name', true]],
    },
    {
      reason: 'a new scheme forces replacement',
      desired: { ...base, scheme: 'internal' },
      observed: base,
      expected: [['scheme', true]],
    },
    {
      reason: 'a changed subnet updates in place',
      desired: { ...base, subnets: ['subnet-a', 'subnet-c'] },
      observed: base,
      expected: [['subnets[1]', false]],
    },
    {
      reason: 'a security group not yet created is known after apply, in place',
      desired: { ...base, securityGroups: [UNKNOWN as unknown as string] },
      observed: base,
      expected: [['securityGroups[0]', false]],
    },
    {
      reason: 'a subnet not yet created sorts after the known ones',
      desired: { ...base, subnets: [UNKNOWN as unknown as string, 'subnet-b', 'subnet-a'] },
      observed: { ...base, subnets: ['subnet-a', 'subnet-b', 'subnet-c'] },
      expected: [['subnets[2]', false]],
    },
    {
      reason: 'the idle timeout updates in place',
      desired: { ...base, idleTimeoutSeconds: 120 },
      observed: base,
      expected: [['idleTimeoutSeconds', false]],
    },
    {
      reason: 'tag drift shows; aws: tags never do',
      desired: base,
      observed: base,
      observedTags: { 'reconciler:stack': 'app', team: 'ops', 'aws:elasticloadbalancing:x': 'y' },
      expected: [['tags.team', false]],
    },
  ];
  for (const { reason, desired, observed, observedTags, expected } of cases) {
    const changes = loadBalancerHandler.diff(desired, observed, tags, observedTags ?? tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('load-balancer normalization', () => {
  const cases: Array<{
    reason: string;
    actual: unknown;
    expected: unknown;
  }> = [
    {
      reason: 'subnets from zones sorted, AWS attributes other than the idle timeout ignored',
      actual: observedLoadBalancerProperties(
        {
          LoadBalancerName: 'app',
          Scheme: 'internet-facing',
          Type: 'application',
          AvailabilityZones: [
            { ZoneName: 'us-west-2b', SubnetId: 'subnet-b' },
            { ZoneName: 'us-west-2a', SubnetId: 'subnet-a' },
          ],
          SecurityGroups: ['sg-1'],
          IpAddressType: 'ipv4',
        },
        [
          { Key: 'deletion_protection.enabled', Value: 'false' },
          { Key: 'idle_timeout.timeout_seconds', Value: '60' },
          { Key: 'routing.http2.enabled', Value: 'true' },
        ],
      ),
      expected: base,
    },
    {
      reason: 'provisioning is pending',
      actual: loadBalancerStatus('provisioning'),
      expected: 'pending',
    },
    { reason: 'active is ready', actual: loadBalancerStatus('active'), expected: 'ready' },
    {
      reason: 'active_impaired is still ready',
      actual: loadBalancerStatus('active_impaired'),
      expected: 'ready',
    },
    { reason: 'failed is failed', actual: loadBalancerStatus('failed'), expected: 'failed' },
  ];
  for (const { reason, actual, expected } of cases)
    assert.deepStrictEqual(actual, expected, reason);
});
