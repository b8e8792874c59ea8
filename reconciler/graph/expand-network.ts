import type { ElasticIpProperties } from '../resources/elastic-ip.ts';
import type { InternetGatewayProperties } from '../resources/internet-gateway.ts';
import type { NatGatewayProperties } from '../resources/nat-gateway.ts';
import type { Route, RouteTableProperties } from '../resources/route-table.ts';
import type { SecurityGroupProperties, SecurityGroupRule } from '../resources/security-group.ts';
import { ALLOW_ALL_EGRESS } from '../resources/security-group.ts';
import type { SubnetProperties } from '../resources/subnet.ts';
import { type DesiredResource, type Ref, ref } from '../resources/types.ts';
import type { VpcProperties } from '../resources/vpc.ts';
import type { ResolvedStack } from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';

/** WithRefs is a handler's property type where any string may instead be a Ref resolved at apply time. */
export type WithRefs<T> = T extends string
  ? T | Ref
  : T extends readonly (infer Item)[]
    ? WithRefs<Item>[]
    : T extends object
      ? { [K in keyof T]: WithRefs<T[K]> }
      : T;

/** POSTGRES_PORT is the port the database security group opens to the services. */
export const POSTGRES_PORT = 5432;

/** DEFAULT_ROUTE is the destination of the internet and NAT routes. */
export const DEFAULT_ROUTE = '0.0.0.0/0';

function nameTag(stack: ResolvedStack, address: string): { Name: string } {
  return { Name: `${stack.name}-${address.slice(address.indexOf('.') + 1)}` };
}

function build<P extends Record<string, unknown>>(
  stack: ResolvedStack,
  address: string,
  properties: P,
  dependsOn: string[] = [],
): DesiredResource<P> {
  return desired(stack, address, properties, { dependsOn, tags: nameTag(stack, address) });
}

function tcpRule(port: number, source: { cidr: string } | { sourceSecurityGroupId: Ref }) {
  return { protocol: 'tcp' as const, fromPort: port, toPort: port, ...source };
}

/** EPHEMERAL_PORTS are the host ports ECS gives bridge-mode containers (dynamic port mapping). */
export const EPHEMERAL_PORTS = { fromPort: 32768, toPort: 65535 } as const;

function securityGroups(stack: ResolvedStack): DesiredResource[] {
  const vpcId = ref(addresses.vpc());
  const egress = [{ ...ALLOW_ALL_EGRESS }];
  const groups: DesiredResource[] = [];
  const add = (
    address: string,
    groupName: string,
    description: string,
    ingress: WithRefs<SecurityGroupRule>[],
    outbound: WithRefs<SecurityGroupRule>[] = egress,
  ) => {
    const properties: WithRefs<SecurityGroupProperties> = {
      vpcId,
      groupName,
      description,
      ingress,
      egress: outbound,
    };
    groups.push(build(stack, address, properties));
  };
  const loadBalancer = stack.loadBalancer;
  if (loadBalancer) {
    const cidrs = loadBalancer.allowedCidrs;
    const ports = [...new Set(loadBalancer.listeners.map((listener) => listener.port))];
    add(
      addresses.loadBalancerSecurityGroup(),
      `${stack.name}-lb`,
      `load balancer of stack ${stack.name}`,
      ports.flatMap((port) => cidrs.map((cidr) => tcpRule(port, { cidr }))),
    );
  }
  const services = stack.services ?? [];
  const bridged = services.filter((service) => service.networkMode === 'bridge');
  if (stack.capacity) {
    // bridge tasks listen on the instance's dynamic ports: open them to the load balancer only
    const fromLoadBalancer = loadBalancer !== undefined && bridged.some((s) => s.loadBalancer);
    add(
      addresses.instanceSecurityGroup(),
      `${stack.name}-instances`,
      `EC2 capacity of stack ${stack.name}`,
      fromLoadBalancer
        ? [
            {
              protocol: 'tcp',
              ...EPHEMERAL_PORTS,
              sourceSecurityGroupId: ref(addresses.loadBalancerSecurityGroup()),
            },
          ]
        : [],
    );
  }
  // a bridge task has no network interface of its own, so no group of its own
  for (const service of services.filter((s) => s.networkMode !== 'bridge')) {
    const fromLoadBalancer = loadBalancer !== undefined && service.loadBalancer !== undefined;
    add(
      addresses.serviceSecurityGroup(service.name),
      `${stack.name}-svc-${service.name}`,
      `service ${service.name} of stack ${stack.name}`,
      fromLoadBalancer
        ? [
            tcpRule(service.port, {
              sourceSecurityGroupId: ref(addresses.loadBalancerSecurityGroup()),
            }),
          ]
        : [],
    );
  }
  const database = stack.database;
  if (database) {
    // a database only answers: no outbound rule unless the spec names one
    const outbound = (database.egress ?? []).map((rule) => tcpRule(rule.port, { cidr: rule.cidr }));
    add(
      addresses.databaseSecurityGroup(),
      `${stack.name}-db`,
      `database of stack ${stack.name}`,
      [
        ...services
          .filter((service) => service.networkMode !== 'bridge')
          .map((service) =>
            tcpRule(POSTGRES_PORT, {
              sourceSecurityGroupId: ref(addresses.serviceSecurityGroup(service.name)),
            }),
          ),
        // bridge tasks connect from their instance
        ...(bridged.length > 0 && stack.capacity
          ? [
              tcpRule(POSTGRES_PORT, {
                sourceSecurityGroupId: ref(addresses.instanceSecurityGroup()),
              }),
            ]
          : []),
      ],
      outbound,
    );
  }
  return groups;
}

function natZones(stack: ResolvedStack): string[] {
  const zones = stack.network.availabilityZones;
  switch (stack.network.natGateways) {
    case 'none':
      return [];
    case 'perAz':
      return [...zones];
    default:
      return zones.slice(0, 1);
  }
}

/**
 * expandNetwork returns the stack's network: the VPC and its internet gateway, a public and a
 * private subnet per availability zone, the NAT gateways with their elastic IPs (none, a single
 * one in the first zone, or one per zone), the public route table and one private route table
 * per zone, and the security groups of the load balancer, each service and the database.
 */
export function expandNetwork(stack: ResolvedStack): DesiredResource[] {
  const network = stack.network;
  const zones = network.availabilityZones;
  const vpcId = ref(addresses.vpc());
  const internetGatewayId = ref(addresses.internetGateway());
  const resources: DesiredResource[] = [];

  const vpc: VpcProperties = {
    cidrBlock: network.cidr,
    enableDnsSupport: true,
    enableDnsHostnames: network.enableDnsHostnames,
  };
  resources.push(build(stack, addresses.vpc(), vpc));
  const internetGateway: WithRefs<InternetGatewayProperties> = { vpcId };
  resources.push(build(stack, addresses.internetGateway(), internetGateway));

  zones.forEach((availabilityZone, index) => {
    for (const tier of ['public', 'private'] as const) {
      const cidrs: readonly string[] =
        tier === 'public' ? network.publicSubnets : network.privateSubnets;
      const cidrBlock = cidrs[index];
      if (cidrBlock === undefined) {
        throw new Error(
          `stack ${stack.name}: no ${tier} subnet cidr for availability zone ${availabilityZone} (entry ${index})`,
        );
      }
      const subnet: WithRefs<SubnetProperties> = {
        vpcId,
        cidrBlock,
        availabilityZone,
        mapPublicIpOnLaunch: tier === 'public',
      };
      resources.push(build(stack, addresses.subnet(tier, availabilityZone), subnet));
    }
  });

  const natAvailabilityZones = natZones(stack);
  for (const availabilityZone of natAvailabilityZones) {
    const elasticIp: ElasticIpProperties = { domain: 'vpc' };
    resources.push(build(stack, addresses.natElasticIp(availabilityZone), elasticIp));
    const natGateway: WithRefs<NatGatewayProperties> = {
      subnetId: ref(addresses.subnet('public', availabilityZone)),
      allocationId: ref(addresses.natElasticIp(availabilityZone)),
      connectivityType: 'public',
    };
    // A public NAT gateway needs the VPC's internet gateway attached first.
    resources.push(
      build(stack, addresses.natGateway(availabilityZone), natGateway, [
        addresses.internetGateway(),
      ]),
    );
  }

  const publicRouteTable: WithRefs<RouteTableProperties> = {
    vpcId,
    routes: [{ destinationCidrBlock: DEFAULT_ROUTE, gatewayId: internetGatewayId }],
    subnetIds: zones.map((zone) => ref(addresses.subnet('public', zone))),
  };
  resources.push(build(stack, addresses.publicRouteTable(), publicRouteTable));
  for (const availabilityZone of zones) {
    const natZone = natAvailabilityZones.includes(availabilityZone)
      ? availabilityZone
      : natAvailabilityZones[0];
    const routes: WithRefs<Route>[] =
      natZone === undefined
        ? []
        : [
            {
              destinationCidrBlock: DEFAULT_ROUTE,
              natGatewayId: ref(addresses.natGateway(natZone)),
            },
          ];
    const privateRouteTable: WithRefs<RouteTableProperties> = {
      vpcId,
      routes,
      subnetIds: [ref(addresses.subnet('private', availabilityZone))],
    };
    resources.push(build(stack, addresses.privateRouteTable(availabilityZone), privateRouteTable));
  }

  resources.push(...securityGroups(stack));
  return resources;
}
