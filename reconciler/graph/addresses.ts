/**
 * Logical addresses of the resources a stack expands to. Every expander and every
 * cross-reference uses these functions, so an address is spelled in one place only.
 * An address is `<kind>.<name>` and is stored in the reconciler:address tag.
 */

/** azSuffix turns us-west-2a into "a": subnets and NAT gateways are named by zone letter. */
export function azSuffix(availabilityZone: string): string {
  return availabilityZone.replace(/^.*[0-9]/, '') || availabilityZone;
}

export const addresses = {
  vpc: () => 'vpc.main',
  internetGateway: () => 'internet-gateway.main',
  subnet: (tier: 'public' | 'private', availabilityZone: string) =>
    `subnet.${tier}-${azSuffix(availabilityZone)}`,
  natElasticIp: (availabilityZone: string) => `elastic-ip.nat-${azSuffix(availabilityZone)}`,
  natGateway: (availabilityZone: string) => `nat-gateway.${azSuffix(availabilityZone)}`,
  publicRouteTable: () => 'route-table.public',
  privateRouteTable: (availabilityZone: string) =>
    `route-table.private-${azSuffix(availabilityZone)}`,
  loadBalancerSecurityGroup: () => 'security-group.load-balancer',
  serviceSecurityGroup: (service: string) => `security-group.service-${service}`,
  databaseSecurityGroup: () => 'security-group.database',
  instanceSecurityGroup: () => 'security-group.instances',
  /** logGroup: a log group's address is its name without the leading slash. */
  logGroup: (name: string) => `log-group.${name.replace(/^\/+/, '')}`,
  executionRole: () => 'iam-role.execution',
  taskRole: (service: string) => `iam-role.task-${service}`,
  loadBalancer: () => 'load-balancer.main',
  targetGroup: (service: string) => `target-group.${service}`,
  listener: (protocol: string, port: number) => `listener.${protocol.toLowerCase()}-${port}`,
  ecsCluster: () => 'ecs-cluster.main',
  instanceRole: () => 'iam-role.instance',
  instanceProfile: () => 'instance-profile.main',
  launchTemplate: () => 'launch-template.main',
  autoScalingGroup: () => 'auto-scaling-group.main',
  capacityProvider: () => 'capacity-provider.main',
  ecrRepository: (name: string) => `ecr-repository.${name}`,
  taskDefinition: (service: string) => `task-definition.${service}`,
  ecsService: (service: string) => `ecs-service.${service}`,
  scalableTarget: (service: string) => `scalable-target.${service}`,
  /** scalingPolicy: the address's name is the policy's name, unique in the stack. */
  scalingPolicy: (service: string, metric: 'cpu' | 'memory' | 'requests') =>
    `scaling-policy.${service}-${metric}`,
  dbSubnetGroup: () => 'db-subnet-group.main',
  dbInstance: () => 'db-instance.main',
  /** dbReplica: read replicas are numbered from 1. */
  dbReplica: (n: number) => `db-replica.${n}`,
  alarmTopic: () => 'sns-topic.alarms',
  /** metricAlarm: the address's name is the alarm's name without the stack prefix. */
  metricAlarm: (name: string) => `metric-alarm.${name}`,
  dashboard: () => 'dashboard.main',
} as const;

/** kindOf returns the kind part of an address (`subnet.private-a` -> `subnet`). */
export { kindOf } from '../aws/tags.ts';
