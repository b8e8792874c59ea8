import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TAG_ADDRESS, TAG_STACK } from '../aws/tags.ts';
import { type DesiredResource, ref } from '../resources/types.ts';
import { withDefaults } from '../spec/defaults.ts';
import type { Stack } from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { expandNetwork } from './expand-network.ts';
import { dependenciesOf, dependencyGraph } from './order.ts';

function stack(overrides: Partial<Stack> = {}, network: Partial<Stack['network']> = {}): Stack {
  return {
    name: 'shop',
    region: 'us-west-2',
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
      publicSubnets: ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24'],
      privateSubnets: ['10.0.10.0/24', '10.0.11.0/24', '10.0.12.0/24'],
      ...network,
    },
    ...overrides,
  };
}

function byAddress(resources: DesiredResource[]): Map<string, DesiredResource> {
  return new Map(resources.map((resource) => [resource.address, resource]));
}

const natCases: Array<{
  reason: string;
  natGateways: 'none' | 'single' | 'perAz' | undefined;
  natAddresses: string[];
  privateRoutes: Record<string, unknown[]>;
}> = [
  {
    reason: 'single (the default) puts one NAT in the first zone and routes every zone through it',
    natGateways: undefined,
    natAddresses: ['elastic-ip.nat-a', 'nat-gateway.a'],
    privateRoutes: {
      'route-table.private-a': [
        { destinationCidrBlock: '0.0.0.0/0', natGatewayId: ref('nat-gateway.a') },
      ],
      'route-table.private-b': [
        { destinationCidrBlock: '0.0.0.0/0', natGatewayId: ref('nat-gateway.a') },
      ],
      'route-table.private-c': [
        { destinationCidrBlock: '0.0.0.0/0', natGatewayId: ref('nat-gateway.a') },
      ],
    },
  },
  {
    reason: 'perAz gives each zone its own NAT and route',
    natGateways: 'perAz',
    natAddresses: [
      'elastic-ip.nat-a',
      'elastic-ip.nat-b',
      'elastic-ip.nat-c',
      'nat-gateway.a',
      'nat-gateway.b',
      'nat-gateway.c',
    ],
    privateRoutes: {
      'route-table.private-a': [
        { destinationCidrBlock: '0.0.0.0/0', natGatewayId: ref('nat-gateway.a') },
      ],
      'route-table.private-b': [
        { destinationCidrBlock: '0.0.0.0/0', natGatewayId: ref('nat-gateway.b') },
      ],
      'route-table.private-c': [
        { destinationCidrBlock: '0.0.0.0/0', natGatewayId: ref('nat-gateway.c') },
      ],
    },
  },
  {
    reason: 'none has no NAT and no default route in the private tables',
    natGateways: 'none',
    natAddresses: [],
    privateRoutes: {
      'route-table.private-a': [],
      'route-table.private-b': [],
      'route-table.private-c': [],
    },
  },
];

for (const { reason, natGateways, natAddresses, privateRoutes } of natCases) {
  test(`expandNetwork nat: ${reason}`, () => {
    const resources = expandNetwork(withDefaults(stack({}, natGateways ? { natGateways } : {})));
    assert.deepStrictEqual(
      resources
        .map((resource) => resource.address)
        .filter((address) => /^(elastic-ip|nat-gateway)\./.test(address))
        .sort(),
      natAddresses,
    );
    const found = byAddress(resources);
    assert.deepStrictEqual(
      Object.fromEntries(
        Object.keys(privateRoutes).map((address) => [
          address,
          found.get(address)?.properties.routes,
        ]),
      ),
      privateRoutes,
    );
    for (const zone of ['a', 'b', 'c']) {
      assert.deepStrictEqual(found.get(`route-table.private-${zone}`)?.properties.subnetIds, [
        ref(`subnet.private-${zone}`),
      ]);
    }
    for (const nat of natAddresses.filter((address) => address.startsWith('nat-gateway.'))) {
      const zone = nat.slice('nat-gateway.'.length);
      assert.deepStrictEqual(found.get(nat)?.properties, {
        subnetId: ref(`subnet.public-${zone}`),
        allocationId: ref(`elastic-ip.nat-${zone}`),
        connectivityType: 'public',
      });
      assert.deepStrictEqual(found.get(nat)?.dependsOn, ['internet-gateway.main']);
    }
    // every reference points at a resource of the expansion, without cycles
    assert.doesNotThrow(() => dependencyGraph(resources));
  });
}

test('expandNetwork: vpc, internet gateway and subnets in zone order with the spec cidrs', () => {
  const found = byAddress(expandNetwork(withDefaults(stack({}, { enableDnsHostnames: false }))));
  assert.deepStrictEqual(found.get('vpc.main')?.properties, {
    cidrBlock: '10.0.0.0/16',
    enableDnsSupport: true,
    enableDnsHostnames: false,
  });
  assert.deepStrictEqual(found.get('internet-gateway.main')?.properties, {
    vpcId: ref('vpc.main'),
  });
  assert.deepStrictEqual(found.get('subnet.public-b')?.properties, {
    vpcId: ref('vpc.main'),
    cidrBlock: '10.0.1.0/24',
    availabilityZone: 'us-west-2b',
    mapPublicIpOnLaunch: true,
  });
  assert.deepStrictEqual(found.get('subnet.private-c')?.properties, {
    vpcId: ref('vpc.main'),
    cidrBlock: '10.0.12.0/24',
    availabilityZone: 'us-west-2c',
    mapPublicIpOnLaunch: false,
  });
  assert.deepStrictEqual(found.get('route-table.public')?.properties, {
    vpcId: ref('vpc.main'),
    routes: [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: ref('internet-gateway.main') }],
    subnetIds: [ref('subnet.public-a'), ref('subnet.public-b'), ref('subnet.public-c')],
  });
});

test('expandNetwork: addresses come from addresses.ts and carry Name and management tags', () => {
  const resources = expandNetwork(
    withDefaults(stack({ tags: { team: 'core' }, environment: 'prod' })),
  );
  const subnet = byAddress(resources).get(addresses.subnet('private', 'us-west-2b'));
  assert.deepStrictEqual(subnet?.tags, {
    team: 'core',
    environment: 'prod',
    Name: 'shop-private-b',
    [TAG_STACK]: 'shop',
    [TAG_ADDRESS]: 'subnet.private-b',
    'reconciler:managed-by': 'reconciler',
  });
  assert.ok(resources.every((resource) => resource.tags.Name?.startsWith('shop-')));
  assert.ok(resources.every((resource) => resource.tags[TAG_ADDRESS] === resource.address));
});

const allEgress = [{ protocol: '-1', fromPort: -1, toPort: -1, cidr: '0.0.0.0/0' }];

const groupCases: Array<{ reason: string; spec: Partial<Stack>; want: Record<string, unknown> }> = [
  {
    reason: 'no load balancer, services or database: no security groups',
    spec: {},
    want: {},
  },
  {
    reason: 'groups reference each other: lb <- service with loadBalancer, every service <- db',
    spec: {
      loadBalancer: {
        listeners: [
          { port: 80, protocol: 'HTTP' },
          {
            port: 443,
            protocol: 'HTTPS',
            certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/x',
          },
        ],
        allowedCidrs: ['10.0.0.0/8', '192.168.0.0/16'],
      },
      services: [
        { name: 'api', image: 'api:1', port: 3000, logGroup: '/a', loadBalancer: {} },
        { name: 'jobs', image: 'jobs:1', port: 4000, logGroup: '/a' },
      ],
      database: { engineVersion: '16', instanceClass: 'db.t4g.micro' },
    },
    want: {
      'security-group.load-balancer': {
        vpcId: ref('vpc.main'),
        groupName: 'shop-lb',
        description: 'load balancer of stack shop',
        ingress: [
          { protocol: 'tcp', fromPort: 80, toPort: 80, cidr: '10.0.0.0/8' },
          { protocol: 'tcp', fromPort: 80, toPort: 80, cidr: '192.168.0.0/16' },
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '10.0.0.0/8' },
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '192.168.0.0/16' },
        ],
        egress: allEgress,
      },
      'security-group.service-api': {
        vpcId: ref('vpc.main'),
        groupName: 'shop-svc-api',
        description: 'service api of stack shop',
        ingress: [
          {
            protocol: 'tcp',
            fromPort: 3000,
            toPort: 3000,
            sourceSecurityGroupId: ref('security-group.load-balancer'),
          },
        ],
        egress: allEgress,
      },
      'security-group.service-jobs': {
        vpcId: ref('vpc.main'),
        groupName: 'shop-svc-jobs',
        description: 'service jobs of stack shop',
        ingress: [],
        egress: allEgress,
      },
      'security-group.database': {
        vpcId: ref('vpc.main'),
        groupName: 'shop-db',
        description: 'database of stack shop',
        ingress: [
          {
            protocol: 'tcp',
            fromPort: 5432,
            toPort: 5432,
            sourceSecurityGroupId: ref('security-group.service-api'),
          },
          {
            protocol: 'tcp',
            fromPort: 5432,
            toPort: 5432,
            sourceSecurityGroupId: ref('security-group.service-jobs'),
          },
        ],
        // a database only answers: AWS's allow-all egress is removed
        egress: [],
      },
    },
  },
  {
    reason: 'a service asking for a load balancer the stack lacks gets no ingress',
    spec: {
      services: [{ name: 'api', image: 'api:1', port: 3000, logGroup: '/a', loadBalancer: {} }],
    },
    want: {
      'security-group.service-api': {
        vpcId: ref('vpc.main'),
        groupName: 'shop-svc-api',
        description: 'service api of stack shop',
        ingress: [],
        egress: allEgress,
      },
    },
  },
];

test('expandNetwork: the database group gets the outbound rules its spec names, no others', () => {
  const spec = stack({
    database: {
      engineVersion: '16',
      instanceClass: 'db.t4g.micro',
      egress: [{ cidr: '10.0.0.0/16', port: 443 }],
    },
  });
  const database = expandNetwork(withDefaults(spec)).find(
    (resource) => resource.address === addresses.databaseSecurityGroup(),
  );
  assert.deepStrictEqual(database?.properties.egress, [
    { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '10.0.0.0/16' },
  ]);
});

for (const { reason, spec, want } of groupCases) {
  test(`expandNetwork security groups: ${reason}`, () => {
    const resources = expandNetwork(withDefaults(stack(spec)));
    const groups = resources.filter((resource) => resource.kind === 'security-group');
    assert.deepStrictEqual(
      Object.fromEntries(groups.map((group) => [group.address, group.properties])),
      want,
    );
    assert.doesNotThrow(() => dependencyGraph(resources));
    const database = groups.find((group) => group.address === addresses.databaseSecurityGroup());
    if (database) {
      assert.ok(dependenciesOf(database).includes(addresses.serviceSecurityGroup('api')));
    }
  });
}

test('expandNetwork: a zone without a subnet cidr is an error naming the zone', () => {
  assert.throws(
    () =>
      expandNetwork(
        withDefaults(
          stack(
            {},
            { availabilityZones: ['us-west-2a', 'us-west-2b'], privateSubnets: ['10.0.10.0/24'] },
          ),
        ),
      ),
    /no private subnet cidr for availability zone us-west-2b/,
  );
});
