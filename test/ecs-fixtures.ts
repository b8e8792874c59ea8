// Shared setup of the ECS and RDS moto suites: the resources of other kinds (VPC, subnets,
// security groups, roles, load balancer, log group) are created with the SDK directly.
import assert from 'node:assert/strict';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../reconciler/aws/clients.ts';
import { addresses } from '../reconciler/graph/addresses.ts';
import {
  type DesiredResource,
  isRef,
  type Logger,
  type ResourceContext,
} from '../reconciler/resources/types.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';

export const REGION = 'us-west-2';
export const ZONES = ['us-west-2a', 'us-west-2b', 'us-west-2c'] as const;

/** silentLog drops every log line. */
export const silentLog: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLog;
  },
};

/** context builds a ResourceContext for the given stacks. */
export function context(clients: AwsClients, stacks: string[]): ResourceContext {
  return { clients, region: REGION, stacks, log: silentLog };
}

/** demoStack is a two-zone stack with one load-balanced service and a database. */
export function demoStack(name = 'demo'): Stack {
  return {
    name,
    region: REGION,
    environment: 'test',
    tags: { project: 'ecs-rds-test' },
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a', 'us-west-2b'],
      publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
      privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
    },
    loadBalancer: { listeners: [{ port: 80, protocol: 'HTTP' }] },
    services: [
      {
        name: 'api',
        image: 'public.ecr.aws/demo/api:1.0.0',
        cpu: 512,
        memory: 1024,
        port: 3000,
        desiredCount: 2,
        environment: { LOG_LEVEL: 'info', APP_MODE: 'test' },
        secrets: {
          API_KEY: {
            secretsManagerArn:
              'arn:aws:secretsmanager:us-west-2:123456789012:secret:demo-api-AbCdEf',
            jsonKey: 'key',
          },
          FLAG: { ssmParameter: '/demo/flag' },
        },
        logGroup: `/${name}/api`,
        loadBalancer: {},
        healthCheckGracePeriodSeconds: 45,
        deployment: { minimumHealthyPercent: 50, maximumPercent: 200 },
      },
    ],
    database: {
      engineVersion: '16.4',
      instanceClass: 'db.t4g.micro',
      databaseName: 'logs',
      masterUsername: 'logs_admin',
      allocatedStorageGiB: 20,
      backupRetentionDays: 7,
      logExports: ['postgresql', 'upgrade'],
      deletionPolicy: 'snapshot',
    },
    logGroups: [{ name: `/${name}/api`, retentionDays: 30 }],
  };
}

/** Attributes maps an address to the attributes a Ref may name. */
export type Attributes = Map<string, Record<string, string>>;

/** resolve replaces every Ref of a desired resource by the attribute recorded in `attributes`. */
export function resolve<P>(
  resource: DesiredResource<P>,
  attributes: Attributes,
): DesiredResource<P> {
  const walk = (value: unknown): unknown => {
    if (isRef(value)) {
      const resolved = attributes.get(value.$ref)?.[value.attr];
      assert.ok(resolved !== undefined, `reference ${value.$ref}.${value.attr} is not resolvable`);
      return resolved;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
    }
    return value;
  };
  return { ...resource, properties: walk(resource.properties) as P };
}

/**
 * createNetworkFixtures creates, with the SDK directly, what the ECS and RDS kinds refer to:
 * a VPC, private subnets in three zones, the service and database security groups plus a spare
 * one, the two IAM roles, a log group, and an ALB with a target group and an HTTP listener.
 */
export async function createNetworkFixtures(
  clients: AwsClients,
  stack: Stack,
): Promise<Attributes> {
  const attributes: Attributes = new Map();
  const vpc = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId ?? '';
  const subnetIds: string[] = [];
  for (const [index, zone] of ZONES.entries()) {
    const subnet = await clients.ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.0.${10 + index}.0/24`,
        AvailabilityZone: zone,
      }),
    );
    const id = subnet.Subnet?.SubnetId ?? '';
    subnetIds.push(id);
    attributes.set(addresses.subnet('private', zone), { id });
  }
  for (const [address, name] of [
    [addresses.serviceSecurityGroup('api'), `${stack.name}-api`],
    [addresses.databaseSecurityGroup(), `${stack.name}-database`],
    ['security-group.spare', `${stack.name}-spare`],
  ] as const) {
    const group = await clients.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }),
    );
    attributes.set(address, { id: group.GroupId ?? '' });
  }
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ],
  });
  for (const [address, name] of [
    [addresses.executionRole(), `${stack.name}-execution`],
    [addresses.taskRole('api'), `${stack.name}-task-api`],
  ] as const) {
    const role = await clients.iam.send(
      new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }),
    );
    attributes.set(address, { id: name, arn: role.Role?.Arn ?? '' });
  }
  const logGroupName = `/${stack.name}/api`;
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName }));
  attributes.set(addresses.logGroup(logGroupName), { id: logGroupName, name: logGroupName });
  const loadBalancer = await clients.elbv2.send(
    new CreateLoadBalancerCommand({ Name: stack.name, Subnets: subnetIds.slice(0, 2) }),
  );
  const loadBalancerArn = loadBalancer.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  const targetGroup = await clients.elbv2.send(
    new CreateTargetGroupCommand({
      Name: `${stack.name}-api`,
      Protocol: 'HTTP',
      Port: 3000,
      VpcId: vpcId,
      TargetType: 'ip',
    }),
  );
  const targetGroupArn = targetGroup.TargetGroups?.[0]?.TargetGroupArn ?? '';
  attributes.set(addresses.targetGroup('api'), { id: targetGroupArn, arn: targetGroupArn });
  await clients.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  attributes.set('vpc.main', { id: vpcId });
  return attributes;
}
