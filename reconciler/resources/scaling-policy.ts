import {
  DeleteScalingPolicyCommand,
  type MetricType,
  PutScalingPolicyCommand,
  paginateDescribeScalingPolicies,
  type ScalingPolicy,
} from '@aws-sdk/client-application-auto-scaling';
import { TAG_ADDRESS } from '../aws/tags.ts';
import { defineKind } from './kit/define-kind.ts';
import { required } from './kit/errors.ts';
import { collect } from './kit/paginate.ts';
import { resolved } from './kit/refs.ts';
import {
  ECS_DESIRED_COUNT,
  ECS_NAMESPACE,
  readScalableTargets,
  type TaggedTarget,
} from './kit/scalable-targets.ts';
import { ownedByTargetTagging } from './kit/tagging/application-auto-scaling.ts';
import { targetKey } from './scalable-target.ts';
import type { FieldRule, Ref } from './types.ts';

/** The predefined metrics a service's policy may track. */
export type TrackedMetric =
  | 'ECSServiceAverageCPUUtilization'
  | 'ECSServiceAverageMemoryUtilization'
  | 'ALBRequestCountPerTarget';

/**
 * ScalingPolicyProperties: one target tracking policy of an ECS service's scalable target. A
 * requests-per-target policy names the service's load balancer and target group (AWS takes them
 * as one resource label).
 */
export interface ScalingPolicyProperties extends Record<string, unknown> {
  resourceId: string;
  policyName: string;
  metric: TrackedMetric;
  targetValue: number;
  scaleInCooldown: number;
  scaleOutCooldown: number;
  loadBalancerArn?: string | Ref;
  targetGroupArn?: string | Ref;
}

/** SCALING_POLICY_FIELDS: a policy is named within its target; PutScalingPolicy rewrites the rest. */
export const SCALING_POLICY_FIELDS: Record<keyof ScalingPolicyProperties, FieldRule> = {
  resourceId: 'replace',
  policyName: 'replace',
  metric: 'update',
  targetValue: 'update',
  scaleInCooldown: 'update',
  scaleOutCooldown: 'update',
  loadBalancerArn: 'update',
  targetGroupArn: 'update',
};

/**
 * resourceLabel is ALBRequestCountPerTarget's label, `app/<lb>/<id>/targetgroup/<tg>/<id>`: the
 * load balancer's ARN after `loadbalancer/` and the target group's after its last colon.
 */
export function resourceLabel(loadBalancerArn: string, targetGroupArn: string): string {
  const balancer = loadBalancerArn.split(':loadbalancer/')[1] ?? '';
  const group = targetGroupArn.slice(targetGroupArn.lastIndexOf(':') + 1);
  return `${balancer}/${group}`;
}

/**
 * arnsOfLabel turns a resource label back into the two ARNs, in the partition, region and
 * account of the policy's ARN (a policy tracks a load balancer of its own account and region).
 */
export function arnsOfLabel(
  label: string,
  policyArn: string,
): { loadBalancerArn: string; targetGroupArn: string } {
  const [, partition, , region, account] = policyArn.split(':');
  const cut = label.indexOf('/targetgroup/');
  const prefix = `arn:${partition}:elasticloadbalancing:${region}:${account}`;
  return {
    loadBalancerArn: `${prefix}:loadbalancer/${label.slice(0, cut)}`,
    targetGroupArn: `${prefix}:${label.slice(cut + 1)}`,
  };
}

/** PolicyOfTarget is one scaling policy with the owned scalable target it belongs to. */
type PolicyOfTarget = { policy: ScalingPolicy; owner: TaggedTarget };

/** policyProperties maps a described target tracking policy to the desired shape. */
export function policyProperties(policy: ScalingPolicy): ScalingPolicyProperties {
  const config = policy.TargetTrackingScalingPolicyConfiguration;
  const metric = config?.PredefinedMetricSpecification;
  const label = metric?.ResourceLabel;
  return {
    resourceId: policy.ResourceId ?? '',
    policyName: policy.PolicyName ?? '',
    metric: (metric?.PredefinedMetricType ?? '') as TrackedMetric,
    targetValue: config?.TargetValue ?? 0,
    scaleInCooldown: config?.ScaleInCooldown ?? 0,
    scaleOutCooldown: config?.ScaleOutCooldown ?? 0,
    ...(label ? arnsOfLabel(label, policy.PolicyARN ?? '') : {}),
  };
}

/**
 * scalingPolicyHandler manages target tracking policies of our scalable targets. AWS has no tags
 * on scaling policies: a policy is ours when its target is (one DescribeScalingPolicies of the
 * namespace), its address is `scaling-policy.<policy name>`, and it carries its target's tags.
 */
export const scalingPolicyHandler = defineKind<ScalingPolicyProperties, PolicyOfTarget>({
  kind: 'scaling-policy',
  fields: SCALING_POLICY_FIELDS,
  after: ['scalable-target', 'load-balancer', 'target-group'],
  tagging: ownedByTargetTagging,
  notFound: ['ObjectNotFoundException'],
  iamActions: {
    read: [
      'application-autoscaling:DescribeScalableTargets',
      'application-autoscaling:DescribeScalingPolicies',
      'application-autoscaling:ListTagsForResource',
      'ecs:DescribeClusters',
    ],
    write: [
      'application-autoscaling:PutScalingPolicy',
      'application-autoscaling:DeleteScalingPolicy',
      // target tracking makes and removes its CloudWatch alarms in the caller's name
      'cloudwatch:DescribeAlarms',
      'cloudwatch:PutMetricAlarm',
      'cloudwatch:DeleteAlarms',
    ],
    scope: {
      // target tracking's own alarms carry no tags of ours: they are narrowed by their names
      arn: [
        'arn:aws:application-autoscaling:*:{account}:scalable-target/*',
        'arn:aws:cloudwatch:*:{account}:alarm:TargetTracking-*',
      ],
      byArn: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
    },
  },

  /**
   * One paginated DescribeScalingPolicies of the ecs namespace (10 a page; a dimension filter
   * would need a ResourceId), kept to the policies of our targets.
   */
  async list(ctx) {
    const owned = new Map(
      (await readScalableTargets(ctx))
        .filter((entry) => entry.owner)
        .map((entry) => [entry.target.ResourceId ?? '', entry]),
    );
    if (owned.size === 0) return [];
    const policies = await collect(
      paginateDescribeScalingPolicies(
        { client: ctx.clients.applicationAutoScaling },
        { ServiceNamespace: ECS_NAMESPACE },
      ),
      (page) => page.ScalingPolicies,
    );
    return policies.flatMap((policy) => {
      const owner = owned.get(policy.ResourceId ?? '');
      return owner && policy.ScalableDimension === ECS_DESIRED_COUNT ? [{ policy, owner }] : [];
    });
  },

  toObserved: ({ policy, owner }) => {
    if (!owner.owner || policy.PolicyType !== 'TargetTrackingScaling') return undefined;
    const address = `scaling-policy.${policy.PolicyName ?? ''}`;
    const arn = policy.PolicyARN ?? '';
    return {
      id: arn,
      properties: policyProperties(policy),
      tags: { ...owner.tags, [TAG_ADDRESS]: address },
      attributes: { arn },
      owner: { stack: owner.owner.stack, address },
    };
  },

  create: (ctx, desired) => putPolicy(ctx.clients.applicationAutoScaling, desired.properties),

  /** PutScalingPolicy replaces the whole configuration of the named policy. */
  update: (ctx, desired) => putPolicy(ctx.clients.applicationAutoScaling, desired.properties),

  async destroy(ctx, observed) {
    await ctx.clients.applicationAutoScaling.send(
      new DeleteScalingPolicyCommand({
        ...targetKey(observed.properties.resourceId),
        PolicyName: observed.properties.policyName,
      }),
    );
  },
});

async function putPolicy(
  client: { send(command: PutScalingPolicyCommand): Promise<{ PolicyARN?: string }> },
  properties: ScalingPolicyProperties,
): Promise<{ id: string; attributes: { arn: string } }> {
  const label =
    properties.loadBalancerArn && properties.targetGroupArn
      ? resourceLabel(
          resolved(properties.loadBalancerArn, 'loadBalancerArn'),
          resolved(properties.targetGroupArn, 'targetGroupArn'),
        )
      : undefined;
  const output = await client.send(
    new PutScalingPolicyCommand({
      ...targetKey(properties.resourceId),
      PolicyName: properties.policyName,
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: properties.targetValue,
        PredefinedMetricSpecification: {
          PredefinedMetricType: properties.metric as MetricType,
          ...(label ? { ResourceLabel: label } : {}),
        },
        ScaleInCooldown: properties.scaleInCooldown,
        ScaleOutCooldown: properties.scaleOutCooldown,
      },
    }),
  );
  const arn = required(output.PolicyARN, 'PutScalingPolicy returned no PolicyARN');
  return { id: arn, attributes: { arn } };
}
