import type { AutoScalingGroupProperties } from '../resources/auto-scaling-group.ts';
import type { CapacityProviderProperties } from '../resources/capacity-provider.ts';
import type { IamRoleProperties, PolicyDocument } from '../resources/iam-role.ts';
import type { InstanceProfileProperties } from '../resources/instance-profile.ts';
import { shortName } from '../resources/kit/names.ts';
import type { LaunchTemplateProperties } from '../resources/launch-template.ts';
import { type DesiredResource, ref } from '../resources/types.ts';
import type { ResolvedCapacity, ResolvedStack } from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';
import { rolePath } from './expand-iam.ts';
import type { WithRefs } from './expand-network.ts';

/** INSTANCE_POLICY_ARN is the AWS managed policy that lets the ECS agent register the instance and run tasks. */
export const INSTANCE_POLICY_ARN =
  'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role';

/** EC2_TRUST lets EC2 instances assume a role (through their instance profile). */
export const EC2_TRUST: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};

/** instanceRoleName names the role (and the instance profile) of a stack's container instances. */
export function instanceRoleName(stack: string): string {
  return shortName(`${stack}-instance`, 64);
}

/** capacityName names the launch template and the Auto Scaling group of a stack's capacity. */
export function capacityName(stack: string): string {
  return `${stack}-capacity`;
}

/** capacityProviderName names a stack's ECS capacity provider (ECS reserves aws, ecs and fargate as prefixes). */
export function capacityProviderName(stack: string): string {
  return `${stack}-ec2`;
}

/** ecsUserData joins the instance to the stack's cluster: the ECS agent reads /etc/ecs/ecs.config. */
export function ecsUserData(cluster: string): string {
  return `#!/bin/bash\necho "ECS_CLUSTER=${cluster}" >> /etc/ecs/ecs.config\n`;
}

function launchTemplate(stack: ResolvedStack, capacity: ResolvedCapacity) {
  const properties: WithRefs<LaunchTemplateProperties> = {
    name: capacityName(stack.name),
    imageId: capacity.amiId ?? { ssmParameter: capacity.amiParameter },
    instanceType: capacity.instanceType,
    instanceProfileArn: ref(addresses.instanceProfile(), 'arn'),
    securityGroupIds: [ref(addresses.instanceSecurityGroup())],
    userData: ecsUserData(stack.name),
    rootVolume: {
      deviceName: capacity.rootVolume.deviceName,
      sizeGiB: capacity.rootVolume.sizeGiB,
      volumeType: capacity.rootVolume.type,
      encrypted: true,
    },
    // IMDSv2 only; two hops so that containers on the bridge network reach it too
    metadata: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
  };
  return desired(stack, addresses.launchTemplate(), properties);
}

function autoScalingGroup(stack: ResolvedStack, capacity: ResolvedCapacity) {
  const properties: WithRefs<AutoScalingGroupProperties> = {
    name: capacityName(stack.name),
    launchTemplateId: ref(addresses.launchTemplate()),
    launchTemplateVersion: ref(addresses.launchTemplate(), 'defaultVersion'),
    minSize: capacity.minSize,
    maxSize: capacity.maxSize,
    desiredCapacity: capacity.desiredCapacity,
    subnetIds: stack.network.availabilityZones.map((zone) =>
      ref(addresses.subnet('private', zone)),
    ),
    // managed termination protection needs it
    protectFromScaleIn: true,
    instanceRefresh: {
      minHealthyPercentage: capacity.refreshMinHealthyPercent,
      instanceWarmupSeconds: capacity.instanceWarmupSeconds,
    },
  };
  // the instances join the cluster as they boot: it exists first
  return desired(stack, addresses.autoScalingGroup(), properties, {
    dependsOn: [addresses.ecsCluster()],
  });
}

function capacityProvider(stack: ResolvedStack, capacity: ResolvedCapacity) {
  const properties: WithRefs<CapacityProviderProperties> = {
    name: capacityProviderName(stack.name),
    autoScalingGroupArn: ref(addresses.autoScalingGroup(), 'arn'),
    managedScaling: {
      status: 'ENABLED',
      targetCapacity: capacity.targetCapacityPercent,
      minimumScalingStepSize: 1,
      maximumScalingStepSize: 10000,
      instanceWarmupPeriod: capacity.instanceWarmupSeconds,
    },
    managedTerminationProtection: 'ENABLED',
    cluster: ref(addresses.ecsCluster(), 'name'),
    defaultStrategy: { weight: 1, base: 0 },
  };
  return desired(stack, addresses.capacityProvider(), properties);
}

/**
 * expandCapacity returns, when the stack has a capacity section, its EC2 capacity: the instance
 * role (`iam-role.instance`) and profile, the launch template, the Auto Scaling group over the
 * private subnets of every zone and the capacity provider attached to the cluster. The
 * instances' security group comes with the other groups (expand-network.ts).
 */
export function expandCapacity(stack: ResolvedStack): DesiredResource[] {
  const capacity = stack.capacity;
  if (!capacity) return [];
  const role: IamRoleProperties = {
    roleName: instanceRoleName(stack.name),
    path: rolePath(stack.name),
    assumeRolePolicy: EC2_TRUST,
    managedPolicyArns: [INSTANCE_POLICY_ARN],
    inlinePolicies: {},
    description: `ECS container instances of stack ${stack.name}`,
    maxSessionDuration: 3600,
  };
  const profile: WithRefs<InstanceProfileProperties> = {
    name: instanceRoleName(stack.name),
    path: rolePath(stack.name),
    roleName: ref(addresses.instanceRole(), 'name'),
  };
  return [
    desired(stack, addresses.instanceRole(), role),
    desired(stack, addresses.instanceProfile(), profile),
    launchTemplate(stack, capacity),
    autoScalingGroup(stack, capacity),
    capacityProvider(stack, capacity),
  ];
}
