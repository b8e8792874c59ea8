import { serviceResourceId } from '../resources/kit/scalable-targets.ts';
import type { ScalableTargetProperties } from '../resources/scalable-target.ts';
import type { ScalingPolicyProperties, TrackedMetric } from '../resources/scaling-policy.ts';
import { type DesiredResource, ref } from '../resources/types.ts';
import type { ResolvedService, ResolvedStack } from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';

type Scaling = NonNullable<ResolvedService['autoScaling']>;

/** TRACKED: each spec metric, the policy's address part and the predefined metric it tracks. */
const TRACKED: ReadonlyArray<{
  key: 'cpu' | 'memory' | 'requestsPerTarget';
  name: 'cpu' | 'memory' | 'requests';
  metric: TrackedMetric;
}> = [
  { key: 'cpu', name: 'cpu', metric: 'ECSServiceAverageCPUUtilization' },
  { key: 'memory', name: 'memory', metric: 'ECSServiceAverageMemoryUtilization' },
  { key: 'requestsPerTarget', name: 'requests', metric: 'ALBRequestCountPerTarget' },
];

function scalableTarget(stack: ResolvedStack, service: ResolvedService, scaling: Scaling) {
  const properties: ScalableTargetProperties = {
    // the cluster is named after the stack (expandEcs)
    resourceId: serviceResourceId(stack.name, service.name),
    minCapacity: scaling.minTasks,
    maxCapacity: scaling.maxTasks,
    scheduledActions: (scaling.scheduled ?? []).map((action) => ({
      name: action.name,
      schedule: action.schedule,
      timezone: action.timezone,
      minCapacity: action.minTasks,
      maxCapacity: action.maxTasks,
    })),
  };
  return desired(stack, addresses.scalableTarget(service.name), properties, {
    dependsOn: [addresses.ecsService(service.name)],
  });
}

function policies(stack: ResolvedStack, service: ResolvedService, scaling: Scaling) {
  return TRACKED.flatMap(({ key, name, metric }) => {
    const targetValue = scaling[key];
    if (targetValue === undefined) return [];
    const address = addresses.scalingPolicy(service.name, name);
    const properties: ScalingPolicyProperties = {
      resourceId: serviceResourceId(stack.name, service.name),
      policyName: address.slice(address.indexOf('.') + 1),
      metric,
      targetValue,
      scaleInCooldown: scaling.scaleInCooldownSeconds,
      scaleOutCooldown: scaling.scaleOutCooldownSeconds,
      ...(key === 'requestsPerTarget'
        ? {
            loadBalancerArn: ref(addresses.loadBalancer(), 'arn'),
            targetGroupArn: ref(addresses.targetGroup(service.name), 'arn'),
          }
        : {}),
    };
    return [
      desired(stack, address, properties, {
        dependsOn: [addresses.scalableTarget(service.name)],
      }),
    ];
  });
}

/**
 * expandAutoScaling returns, per service with autoScaling, its scalable target (after the ECS
 * service it scales) and one target tracking policy per metric the spec gives.
 */
export function expandAutoScaling(stack: ResolvedStack): DesiredResource[] {
  return ((stack.services ?? []) as ResolvedService[]).flatMap((service) => {
    const scaling = service.autoScaling;
    if (!scaling) return [];
    return [scalableTarget(stack, service, scaling), ...policies(stack, service, scaling)];
  });
}
