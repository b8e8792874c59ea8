import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteRouteCommand,
  DeleteTagsCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { TAG_ADDRESS, TAG_STACK } from '../reconciler/aws/tags.ts';
import { addresses } from '../reconciler/graph/addresses.ts';
import { expandNetwork } from '../reconciler/graph/expand-network.ts';
import { dependenciesOf } from '../reconciler/graph/order.ts';
import { handlerFor } from '../reconciler/resources/registry.ts';
import {
  type DesiredResource,
  isRef,
  type Logger,
  type ObservedResource,
  type ResourceContext,
  type ResourceHandler,
} from '../reconciler/resources/types.ts';
import { withDefaults } from '../reconciler/spec/defaults.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const REGION = 'us-west-2';

const silentLog: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLog;
  },
};

function stackSpec(name: string, overrides: Partial<Stack['network']> = {}): Stack {
  return {
    name,
    region: REGION,
    environment: 'test',
    tags: { project: 'network-test' },
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a', 'us-west-2b'],
      publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
      privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
      natGateways: 'single',
      ...overrides,
    },
    loadBalancer: { listeners: [{ port: 80, protocol: 'HTTP' }], allowedCidrs: ['0.0.0.0/0'] },
    services: [
      { name: 'api', image: 'api:1', port: 3000, logGroup: '/api', loadBalancer: {} },
      { name: 'worker', image: 'worker:1', port: 4000, logGroup: '/worker' },
    ],
    database: { engineVersion: '16', instanceClass: 'db.t4g.micro' },
  };
}

/** resolveRefs replaces every Ref by the attribute of the already created target. */
function resolveRefs(value: unknown, created: Map<string, ObservedResource>): unknown {
  if (isRef(value)) {
    const target = created.get(value.$ref);
    const resolved = target?.attributes[value.attr];
    assert.ok(resolved, `reference to ${value.$ref}.${value.attr} is not resolvable yet`);
    return resolved;
  }
  if (Array.isArray(value)) return value.map((item) => resolveRefs(item, created));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveRefs(item, created)]),
    );
  }
  return value;
}

function resolved(resource: DesiredResource, created: Map<string, ObservedResource>) {
  return {
    ...resource,
    properties: resolveRefs(resource.properties, created) as Record<string, unknown>,
  };
}

/** withDependencies keeps `address` and everything it depends on, in expansion order. */
function withDependencies(resources: DesiredResource[], address: string): DesiredResource[] {
  const byAddress = new Map(resources.map((resource) => [resource.address, resource]));
  const needed = new Set<string>();
  const visit = (current: string) => {
    if (needed.has(current)) return;
    needed.add(current);
    for (const dependency of dependenciesOf(byAddress.get(current)!)) visit(dependency);
  };
  visit(address);
  return resources.filter((resource) => needed.has(resource.address));
}

/**
 * createAll creates a stack's expanded network in expansion order (every Ref points backwards),
 * or only what `address` needs.
 */
async function createAll(ctx: ResourceContext, stack: Stack, address?: string) {
  const created = new Map<string, ObservedResource>();
  const desiredByAddress = new Map<string, DesiredResource>();
  const all = expandNetwork(withDefaults(stack));
  for (const resource of address ? withDependencies(all, address) : all) {
    const concrete = resolved(resource, created);
    desiredByAddress.set(resource.address, concrete);
    created.set(resource.address, await handlerFor(resource.kind).create(ctx, concrete));
  }
  return { created, desiredByAddress };
}

function contextFor(clients: AwsClients, stacks: string[]): ResourceContext {
  return { clients, region: REGION, stacks, log: silentLog };
}

async function observeOne(ctx: ResourceContext, handler: ResourceHandler, address: string) {
  const found = (await handler.observeAll(ctx)).filter((resource) => resource.address === address);
  assert.equal(found.length, 1, `exactly one ${address} observed, got ${found.length}`);
  return found[0]!;
}

let moto: MotoServer;

before(async () => {
  moto = await startMoto();
});
after(async () => {
  await moto?.stop();
});

interface LifecycleCase {
  address: string;
  reason: string;
  /** An out-of-band change made with the SDK, and the field paths the diff must then report. */
  drift: (ec2: AwsClients['ec2'], observed: ObservedResource) => Promise<void>;
  driftPaths: string[];
  /** Mutating EC2 calls the update must make, when the case checks that only the change is applied. */
  updateCalls?: Record<string, number>;
}

const removeEnvironmentTag = async (ec2: AwsClients['ec2'], observed: ObservedResource) => {
  await ec2.send(
    new DeleteTagsCommand({ Resources: [observed.id], Tags: [{ Key: 'environment' }] }),
  );
};

const lifecycleCases: LifecycleCase[] = [
  {
    address: addresses.vpc(),
    reason: 'dns host names turned off and a tag removed out of band',
    drift: async (ec2, observed) => {
      await ec2.send(
        new ModifyVpcAttributeCommand({ VpcId: observed.id, EnableDnsHostnames: { Value: false } }),
      );
      await removeEnvironmentTag(ec2, observed);
    },
    driftPaths: ['enableDnsHostnames', 'tags.environment'],
  },
  {
    address: addresses.subnet('public', 'us-west-2a'),
    reason: 'public ip mapping turned off out of band',
    drift: async (ec2, observed) => {
      await ec2.send(
        new ModifySubnetAttributeCommand({
          SubnetId: observed.id,
          MapPublicIpOnLaunch: { Value: false },
        }),
      );
    },
    driftPaths: ['mapPublicIpOnLaunch'],
  },
  {
    address: addresses.internetGateway(),
    reason: 'internet gateway detached out of band',
    drift: async (ec2, observed) => {
      await ec2.send(
        new DetachInternetGatewayCommand({
          InternetGatewayId: observed.id,
          VpcId: String(observed.properties.vpcId),
        }),
      );
    },
    driftPaths: ['vpcId'],
  },
  {
    address: addresses.natElasticIp('us-west-2a'),
    reason: 'a tag removed and a foreign tag added out of band',
    drift: async (ec2, observed) => {
      await removeEnvironmentTag(ec2, observed);
      await ec2.send(
        new CreateTagsCommand({ Resources: [observed.id], Tags: [{ Key: 'extra', Value: 'x' }] }),
      );
    },
    driftPaths: ['tags.environment', 'tags.extra'],
  },
  {
    address: addresses.natGateway('us-west-2a'),
    reason: 'a tag changed out of band',
    drift: async (ec2, observed) => {
      await ec2.send(
        new CreateTagsCommand({
          Resources: [observed.id],
          Tags: [{ Key: 'environment', Value: 'prod' }],
        }),
      );
    },
    driftPaths: ['tags.environment'],
  },
  {
    address: addresses.privateRouteTable('us-west-2a'),
    reason: 'nat route deleted and subnet disassociated out of band',
    drift: async (ec2, observed) => {
      await ec2.send(
        new DeleteRouteCommand({ RouteTableId: observed.id, DestinationCidrBlock: '0.0.0.0/0' }),
      );
      const described = await ec2.send(
        new DescribeRouteTablesCommand({ RouteTableIds: [observed.id] }),
      );
      for (const association of described.RouteTables?.[0]?.Associations ?? []) {
        await ec2.send(
          new DisassociateRouteTableCommand({ AssociationId: association.RouteTableAssociationId }),
        );
      }
    },
    driftPaths: ['routes[0]', 'subnetIds[0]'],
    updateCalls: { CreateRoute: 1, AssociateRouteTable: 1 },
  },
  {
    address: addresses.serviceSecurityGroup('api'),
    reason: 'ingress rule revoked and another authorized out of band',
    drift: async (ec2, observed) => {
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: observed.id,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        }),
      );
      const [fromLoadBalancer] = observed.properties.ingress as Array<{
        sourceSecurityGroupId: string;
      }>;
      await ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: observed.id,
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: 3000,
              ToPort: 3000,
              UserIdGroupPairs: [{ GroupId: fromLoadBalancer!.sourceSecurityGroupId }],
            },
          ],
        }),
      );
    },
    driftPaths: [
      'ingress[0].cidr',
      'ingress[0].fromPort',
      'ingress[0].sourceSecurityGroupId',
      'ingress[0].toPort',
    ],
    updateCalls: { RevokeSecurityGroupIngress: 1, AuthorizeSecurityGroupIngress: 1 },
  },
];

// Each lifecycle works on its own stack with its own clients, so the cases run concurrently.
describe('network handler lifecycles against moto', { concurrency: true }, () => {
  before(async () => {
    await moto.reset();
  });
  for (const [index, testCase] of lifecycleCases.entries()) {
    test(`${testCase.address}: create, observe, no diff, drift, update, delete (${testCase.reason})`, async (t) => {
      const stackName = `life-${index}`;
      const clients = createClients({ region: REGION });
      t.after(() => clients.destroy());
      const ctx = contextFor(clients, [stackName]);
      const { created, desiredByAddress } = await createAll(
        ctx,
        stackSpec(stackName),
        testCase.address,
      );
      const handler = handlerFor(testCase.address.split('.')[0]!);
      const want = desiredByAddress.get(testCase.address)!;
      const made = created.get(testCase.address)!;

      const observed = await observeOne(ctx, handler, testCase.address);
      assert.equal(observed.id, made.id);
      assert.equal(observed.stack, stackName);
      assert.deepEqual(observed.properties, made.properties);
      assert.equal(observed.attributes.id, made.id);
      assert.deepEqual(
        handler.diff(want.properties, observed.properties, want.tags, observed.tags),
        [],
        'no diff right after create',
      );

      await testCase.drift(clients.ec2, observed);
      const drifted = await observeOne(ctx, handler, testCase.address);
      const changes = handler.diff(want.properties, drifted.properties, want.tags, drifted.tags);
      assert.deepEqual(
        changes.map((change) => change.path).sort(),
        [...testCase.driftPaths].sort(),
      );

      clients.stats.reset();
      await handler.update(ctx, want, drifted, changes);
      if (testCase.updateCalls) {
        const mutations = Object.fromEntries(
          clients.stats
            .entries()
            .filter((call) => !call.operation.startsWith('Describe'))
            .map((call) => [call.operation, call.count]),
        );
        assert.deepEqual(mutations, testCase.updateCalls);
      }
      const corrected = await observeOne(ctx, handler, testCase.address);
      assert.deepEqual(
        handler.diff(want.properties, corrected.properties, want.tags, corrected.tags),
        [],
        'no diff after update',
      );

      await handler.delete(ctx, corrected, { deletionPolicy: 'delete' });
      const remaining = (await handler.observeAll(ctx)).filter(
        (resource) => resource.address === testCase.address,
      );
      assert.deepEqual(remaining, []);
      await handler.delete(ctx, corrected, { deletionPolicy: 'delete' });
    });
  }
});

// Every test uses its own stack names and clients, so they run concurrently too.
describe('observe scope, retain, errors and cost against moto', { concurrency: true }, () => {
  before(async () => {
    await moto.reset();
  });

  test('observeAll never returns an untagged VPC, a VPC of another stack or the default VPC', async (t) => {
    const clients = createClients({ region: REGION });
    t.after(() => clients.destroy());
    const ctx = contextFor(clients, ['scope-a']);
    await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }));
    await clients.ec2.send(
      new CreateVpcCommand({
        CidrBlock: '10.2.0.0/16',
        TagSpecifications: [
          {
            ResourceType: 'vpc',
            Tags: [
              { Key: TAG_STACK, Value: 'net-other' },
              { Key: TAG_ADDRESS, Value: addresses.vpc() },
            ],
          },
        ],
      }),
    );
    const { created } = await createAll(ctx, stackSpec('scope-a'), addresses.vpc());
    const observed = await handlerFor('vpc').observeAll(ctx);
    assert.deepEqual(
      observed.map((vpc) => [vpc.stack, vpc.address, vpc.id]),
      [['scope-a', addresses.vpc(), created.get(addresses.vpc())!.id]],
    );
    const all = await clients.ec2.send(new DescribeVpcsCommand({}));
    assert.deepEqual(
      ['10.1.0.0/16', '10.2.0.0/16'].map(
        (cidr) => all.Vpcs?.filter((vpc) => vpc.CidrBlock === cidr).length,
      ),
      [1, 1],
      'the untagged and the other stack VPC exist',
    );
    assert.ok(all.Vpcs?.some((vpc) => vpc.IsDefault));
  });

  test('retain removes only the management tags and leaves the resource', async (t) => {
    const clients = createClients({ region: REGION });
    t.after(() => clients.destroy());
    const ctx = contextFor(clients, ['retain-a']);
    const { created } = await createAll(ctx, stackSpec('retain-a'), addresses.vpc());
    const vpc = created.get(addresses.vpc())!;
    const handler = handlerFor('vpc');
    await handler.delete(ctx, vpc, { deletionPolicy: 'retain' });
    assert.deepEqual(await handler.observeAll(ctx), []);
    const described = await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc.id] }));
    const keys = (described.Vpcs?.[0]?.Tags ?? []).map((tag) => tag.Key).sort();
    assert.deepEqual(keys, ['Name', 'environment', 'project']);
  });

  test('an elastic ip still used by a nat gateway is not released; the error says why', async (t) => {
    const clients = createClients({ region: REGION });
    t.after(() => clients.destroy());
    const ctx = contextFor(clients, ['eip-a']);
    const { created } = await createAll(
      ctx,
      stackSpec('eip-a'),
      addresses.natGateway('us-west-2a'),
    );
    const elasticIp = created.get(addresses.natElasticIp('us-west-2a'))!;
    const natGateway = created.get(addresses.natGateway('us-west-2a'))!;
    await assert.rejects(
      handlerFor('elastic-ip').delete(ctx, elasticIp, { deletionPolicy: 'delete' }),
      /cannot release elastic ip .* still associated .*nat gateway/,
    );
    await handlerFor('nat-gateway').delete(ctx, natGateway, { deletionPolicy: 'delete' });
    assert.deepEqual(await handlerFor('nat-gateway').observeAll(ctx), []);
  });

  const OBSERVED_KINDS = [
    'vpc',
    'subnet',
    'internet-gateway',
    'elastic-ip',
    'nat-gateway',
    'route-table',
    'security-group',
  ];

  test('observe costs one call per kind, plus two per VPC, for 1 and for 3 stacks; no diff after create', async (t) => {
    const clients = createClients({ region: REGION });
    t.after(() => clients.destroy());
    const stacks = ['count-1', 'count-2', 'count-3'];
    const desiredByStack = new Map<string, Map<string, DesiredResource>>();
    await Promise.all(
      stacks.map(async (name, index) => {
        const spec =
          index === 0
            ? stackSpec(name, { natGateways: 'perAz' })
            : {
                ...stackSpec(name, {
                  availabilityZones: ['us-west-2a'],
                  publicSubnets: ['10.0.0.0/24'],
                  privateSubnets: ['10.0.10.0/24'],
                }),
                services: [] as Stack['services'],
                database: undefined,
              };
        const { desiredByAddress } = await createAll(contextFor(clients, [name]), spec);
        desiredByStack.set(name, desiredByAddress);
      }),
    );
    for (const scope of [stacks.slice(0, 1), stacks]) {
      const ctx = contextFor(clients, scope);
      clients.stats.reset();
      const observed = (
        await Promise.all(OBSERVED_KINDS.map((kind) => handlerFor(kind).observeAll(ctx)))
      ).flat();
      assert.deepEqual(
        clients.stats.entries().map((call) => [call.operation, call.count]),
        [
          ['DescribeAddresses', 1],
          ['DescribeInternetGateways', 1],
          ['DescribeNatGateways', 1],
          ['DescribeRouteTables', 1],
          ['DescribeSecurityGroups', 1],
          ['DescribeSubnets', 1],
          ['DescribeVpcAttribute', 2 * scope.length],
          ['DescribeVpcs', 1],
        ],
        `calls for ${scope.length} stack(s)`,
      );
      const expected = scope.flatMap((name) =>
        [...desiredByStack.get(name)!.keys()].map((address) => `${name} ${address}`),
      );
      assert.deepEqual(
        observed.map((resource) => `${resource.stack} ${resource.address}`).sort(),
        expected.sort(),
      );
      for (const resource of observed) {
        const want = desiredByStack.get(resource.stack)!.get(resource.address)!;
        assert.deepEqual(
          handlerFor(resource.kind).diff(
            want.properties,
            resource.properties,
            want.tags,
            resource.tags,
          ),
          [],
          `no diff for ${resource.stack} ${resource.address}`,
        );
      }
    }
  });

  test('a create that fails halfway leaves a tagged resource that the next observe finds', async (t) => {
    const clients = createClients({ region: REGION });
    t.after(() => clients.destroy());
    const ctx = contextFor(clients, ['half-a']);
    const { created, desiredByAddress } = await createAll(
      ctx,
      stackSpec('half-a'),
      addresses.internetGateway(),
    );
    const handler = handlerFor('internet-gateway');
    await handler.delete(ctx, created.get(addresses.internetGateway())!, {
      deletionPolicy: 'delete',
    });
    const want = desiredByAddress.get(addresses.internetGateway())!;
    // the attach step fails after the gateway exists: it must not be lost
    await assert.rejects(
      handler.create(ctx, { ...want, properties: { vpcId: 'vpc-00000000000000000' } }),
      /cannot attach internet gateway igw-\w+ to vpc-00000000000000000/,
    );
    const found = await observeOne(ctx, handler, addresses.internetGateway());
    assert.deepEqual(found.properties, { vpcId: null });
    const changes = handler.diff(want.properties, found.properties, want.tags, found.tags);
    assert.deepEqual(
      changes.map((change) => change.path),
      ['vpcId'],
    );
    await handler.update(ctx, want, found, changes);
    const converged = await observeOne(ctx, handler, addresses.internetGateway());
    assert.deepEqual(
      handler.diff(want.properties, converged.properties, want.tags, converged.tags),
      [],
    );
  });

  test('a rule whose description alone changed is re-described, not revoked and re-added', async (t) => {
    const clients = createClients({ region: REGION });
    t.after(() => clients.destroy());
    const ctx = contextFor(clients, ['describe-a']);
    const address = addresses.loadBalancerSecurityGroup();
    const { created, desiredByAddress } = await createAll(ctx, stackSpec('describe-a'), address);
    const handler = handlerFor('security-group');
    const base = desiredByAddress.get(address)!;
    const [rule] = base.properties.ingress as Array<Record<string, unknown>>;
    const want = {
      ...base,
      properties: { ...base.properties, ingress: [{ ...rule, description: 'public http' }] },
    };
    const observed = created.get(address)!;
    const changes = handler.diff(want.properties, observed.properties, want.tags, observed.tags);
    assert.deepEqual(
      changes.map((change) => change.path),
      ['ingress[0].description'],
    );
    clients.stats.reset();
    await handler.update(ctx, want, observed, changes);
    assert.deepEqual(
      clients.stats.entries().map((call) => call.operation),
      ['UpdateSecurityGroupRuleDescriptionsIngress'],
    );
    const corrected = await observeOne(ctx, handler, address);
    assert.deepEqual(
      handler.diff(want.properties, corrected.properties, want.tags, corrected.tags),
      [],
    );
  });

  test('deleting a vpc first detaches the stack internet gateway still attached to it', async (t) => {
    const clients = createClients({ region: REGION });
    t.after(() => clients.destroy());
    const ctx = contextFor(clients, ['detach-a']);
    const { created } = await createAll(ctx, stackSpec('detach-a'), addresses.internetGateway());
    await handlerFor('vpc').delete(ctx, created.get(addresses.vpc())!, {
      deletionPolicy: 'delete',
    });
    assert.deepEqual(await handlerFor('vpc').observeAll(ctx), []);
    const gateway = await observeOne(
      ctx,
      handlerFor('internet-gateway'),
      addresses.internetGateway(),
    );
    assert.deepEqual(gateway.properties, { vpcId: null });
  });
});
