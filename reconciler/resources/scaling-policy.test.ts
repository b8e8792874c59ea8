import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  arnsOfLabel,
  policyProperties,
  resourceLabel,
  type ScalingPolicyProperties,
  scalingPolicyHandler,
} from './scaling-policy.ts';

const LOAD_BALANCER =
  'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';
const TARGET_GROUP =
  'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/shop-api/943f017f100becff';
const LABEL = 'app/shop/50dc6c495c0c9188/targetgroup/shop-api/943f017f100becff';
const POLICY_ARN =
  'arn:aws:autoscaling:us-west-2:123456789012:scalingPolicy:1a2b:resource/ecs/service/shop/api:policyName/api-requests';

test('resourceLabel joins the load balancer and target group ARNs; arnsOfLabel splits it back', () => {
  assert.equal(resourceLabel(LOAD_BALANCER, TARGET_GROUP), LABEL);
  assert.deepStrictEqual(arnsOfLabel(LABEL, POLICY_ARN), {
    loadBalancerArn: LOAD_BALANCER,
    targetGroupArn: TARGET_GROUP,
  });
  const china = POLICY_ARN.replace('arn:aws:', 'arn:aws-cn:').replace('us-west-2', 'cn-north-1');
  assert.match(
    arnsOfLabel(LABEL, china).loadBalancerArn,
    /^arn:aws-cn:elasticloadbalancing:cn-north-1:/,
  );
});

const requests: ScalingPolicyProperties = {
  resourceId: 'service/shop/api',
  policyName: 'api-requests',
  metric: 'ALBRequestCountPerTarget',
  targetValue: 500,
  scaleInCooldown: 300,
  scaleOutCooldown: 300,
  loadBalancerArn: LOAD_BALANCER,
  targetGroupArn: TARGET_GROUP,
};

test('policyProperties reads a described target tracking policy in the desired shape', () => {
  const observed = policyProperties({
    PolicyARN: POLICY_ARN,
    PolicyName: 'api-requests',
    ServiceNamespace: 'ecs',
    ResourceId: 'service/shop/api',
    ScalableDimension: 'ecs:service:DesiredCount',
    PolicyType: 'TargetTrackingScaling',
    CreationTime: new Date(0),
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 500,
      PredefinedMetricSpecification: {
        PredefinedMetricType: 'ALBRequestCountPerTarget',
        ResourceLabel: LABEL,
      },
      ScaleInCooldown: 300,
      ScaleOutCooldown: 300,
      DisableScaleIn: false,
    },
  });
  assert.deepStrictEqual(observed, requests);
  assert.deepStrictEqual(scalingPolicyHandler.diff(requests, observed, {}, {}), []);
});

test('scaling-policy diff', () => {
  const cases: Array<{
    reason: string;
    observed: ScalingPolicyProperties;
    expected: Array<[string, boolean]>;
  }> = [
    {
      reason: 'a target value changed by hand is put back in place',
      observed: { ...requests, targetValue: 100 },
      expected: [['targetValue', false]],
    },
    {
      reason: 'another target group behind the label updates in place',
      observed: { ...requests, targetGroupArn: `${TARGET_GROUP}0` },
      expected: [['targetGroupArn', false]],
    },
    {
      reason: 'a policy is named within its target: a new name replaces it',
      observed: { ...requests, policyName: 'old' },
      expected: [['policyName', true]],
    },
  ];
  for (const { reason, observed, expected } of cases) {
    const changes = scalingPolicyHandler.diff(requests, observed, {}, {});
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});
