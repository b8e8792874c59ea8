import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AuthorizeSecurityGroupIngressCommand,
  DeleteRouteCommand,
  DeleteSubnetCommand,
  DeleteTagsCommand,
  DetachInternetGatewayCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { CallStats, createClients } from '../reconciler/aws/clients.ts';
import { reconcile, silentLogger } from '../reconciler/engine/reconcile.ts';
import { addresses } from '../reconciler/graph/addresses.ts';
import { expandNetwork } from '../reconciler/graph/expand-network.ts';
import type { Plan } from '../reconciler/plan/types.ts';
import { HANDLERS } from '../reconciler/resources/registry.ts';
import type { ObservedResource } from '../reconciler/resources/types.ts';
import { withDefaults } from '../reconciler/spec/defaults.ts';
import { loadStacks } from '../reconciler/spec/load-stacks.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const NETWORK_KINDS = new Set([
  'vpc',
  'subnet',
  'internet-gateway',
  'elastic-ip',
  'nat-gateway',
  'route-table',
  'security-group',
]);
const networkHandlers = HANDLERS.filter((handler) => NETWORK_KINDS.has(handler.kind));

let moto: MotoServer;
let ec2: EC2Client;
let stack: Stack;

function run(mode: 'plan' | 'apply' | 'destroy', stats?: CallStats) {
  return reconcile({
    stacks: [stack],
    mode,
    handlers: networkHandlers,
    expand: (spec) => expandNetwork(withDefaults(spec)),
    stats,
  });
}

/** changed lists `address action path...` for every resource the plan would touch. */
function changed(plan: Plan): string[] {
  return plan.stacks
    .flatMap((stackPlan) => stackPlan.changes)
    .filter((change) => change.action !== 'no-op')
    .map((change) =>
      [change.address, change.action, ...change.fields.map((field) => field.path)].join(' '),
    );
}

/** live returns the observed resources of the stack by address (one observe per network kind). */
async function live(): Promise<Map<string, ObservedResource>> {
  const clients = createClients({ region: stack.region });
  const ctx = { clients, region: stack.region, stacks: [stack.name], log: silentLogger };
  try {
    const found = await Promise.all(networkHandlers.map((handler) => handler.observeAll(ctx)));
    return new Map(found.flat().map((resource) => [resource.address, resource]));
  } finally {
    clients.destroy();
  }
}

before(async () => {
  moto = await startMoto();
  ec2 = new EC2Client({ region: 'us-west-2', endpoint: moto.endpoint });
  const loaded = await loadStacks(['specs/scalable-logging.yaml']);
  assert.deepEqual(loaded.errors, []);
  stack = loaded.stacks[0]!.spec;
});
after(async () => {
  ec2?.destroy();
  await moto?.stop();
});

interface DriftCase {
  reason: string;
  drift: (resources: Map<string, ObservedResource>) => Promise<void>;
  /** The plan lines (`address action fields...`) the drift must produce, in any order. */
  want: (resources: Map<string, ObservedResource>) => string[];
}

const zoneA = 'us-west-2a';
const zoneB = 'us-west-2b';

const driftCases: DriftCase[] = [
  {
    reason: 'an ingress rule added to the instances group is revoked',
    drift: async (resources) => {
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: resources.get(addresses.instanceSecurityGroup())!.id,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        }),
      );
    },
    want: () => [
      // tcp 22 sorts before the ephemeral ports, so both positions differ
      'security-group.instances update ingress[0].cidr ingress[0].fromPort ingress[0].sourceSecurityGroupId ingress[0].toPort ingress[1]',
    ],
  },
  {
    reason: 'the database rule revoked out of band is authorized again',
    drift: async (resources) => {
      await ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: resources.get(addresses.databaseSecurityGroup())!.id,
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: 5432,
              ToPort: 5432,
              UserIdGroupPairs: [{ GroupId: resources.get(addresses.instanceSecurityGroup())!.id }],
            },
          ],
        }),
      );
    },
    want: () => ['security-group.database update ingress[0]'],
  },
  {
    reason: 'a deleted NAT route is recreated',
    drift: async (resources) => {
      await ec2.send(
        new DeleteRouteCommand({
          RouteTableId: resources.get(addresses.privateRouteTable(zoneB))!.id,
          DestinationCidrBlock: '0.0.0.0/0',
        }),
      );
    },
    want: () => ['route-table.private-b update routes[0]'],
  },
  {
    reason: 'a removed tag is set again',
    drift: async (resources) => {
      await ec2.send(
        new DeleteTagsCommand({
          Resources: [resources.get(addresses.subnet('public', zoneB))!.id],
          Tags: [{ Key: 'project' }],
        }),
      );
    },
    want: () => ['subnet.public-b update tags.project'],
  },
  {
    reason: 'public ip mapping turned off on a public subnet is turned on again',
    drift: async (resources) => {
      await ec2.send(
        new ModifySubnetAttributeCommand({
          SubnetId: resources.get(addresses.subnet('public', zoneA))!.id,
          MapPublicIpOnLaunch: { Value: false },
        }),
      );
    },
    want: () => ['subnet.public-a update mapPublicIpOnLaunch'],
  },
  {
    reason: 'a detached internet gateway is attached again',
    drift: async (resources) => {
      await ec2.send(
        new DetachInternetGatewayCommand({
          InternetGatewayId: resources.get(addresses.internetGateway())!.id,
          VpcId: resources.get(addresses.vpc())!.id,
        }),
      );
    },
    want: () => ['internet-gateway.main update vpcId'],
  },
  {
    reason: 'dns host names turned off are turned on again',
    drift: async (resources) => {
      await ec2.send(
        new ModifyVpcAttributeCommand({
          VpcId: resources.get(addresses.vpc())!.id,
          EnableDnsHostnames: { Value: false },
        }),
      );
    },
    want: () => ['vpc.main update enableDnsHostnames'],
  },
  {
    reason: 'a deleted private subnet is recreated and associated with its route table again',
    drift: async (resources) => {
      await ec2.send(
        new DeleteSubnetCommand({
          SubnetId: resources.get(addresses.subnet('private', zoneB))!.id,
        }),
      );
    },
    want: () => ['subnet.private-b create', 'route-table.private-b update subnetIds[0]'],
  },
];

describe('network drift through reconcile (specs/scalable-logging.yaml)', () => {
  test('apply creates the whole network; a second plan has no changes', async () => {
    const applied = await run('apply');
    assert.deepEqual(applied.failures, []);
    const created = applied.applied.filter((change) => change.action === 'create');
    assert.equal(created.length, expandNetwork(withDefaults(stack)).length);
    const stats = new CallStats();
    assert.deepEqual(changed((await run('plan', stats)).plan), []);
    // one Describe per kind, plus the two DNS attributes of the one VPC
    assert.equal(stats.total(), 7 + 2);
  });

  for (const driftCase of driftCases) {
    test(`drift: ${driftCase.reason}`, async () => {
      const resources = await live();
      await driftCase.drift(resources);
      const planned = await run('plan');
      // a create lists every field: only its address and action matter here
      const lines = changed(planned.plan).map((line) => {
        const [address, action, ...paths] = line.split(' ');
        return [address, action, ...(action === 'create' ? [] : paths.sort())].join(' ');
      });
      assert.deepEqual(lines.sort(), driftCase.want(resources).sort());
      const applied = await run('apply');
      assert.deepEqual(applied.failures, []);
      assert.deepEqual(changed((await run('plan')).plan), [], 'converged after apply');
    });
  }

  test('a new vpc cidr replaces the vpc and everything in it, and converges', async () => {
    const original = stack;
    stack = {
      ...stack,
      network: {
        ...stack.network,
        cidr: '10.1.0.0/16',
        publicSubnets: ['10.1.0.0/24', '10.1.1.0/24'],
        privateSubnets: ['10.1.10.0/24', '10.1.11.0/24'],
      },
    };
    try {
      const planned = changed((await run('plan')).plan).map((line) =>
        line.split(' ').slice(0, 2).join(' '),
      );
      assert.deepEqual(planned.sort(), [
        'internet-gateway.main update',
        'nat-gateway.a replace',
        'route-table.private-a replace',
        'route-table.private-b replace',
        'route-table.public replace',
        'security-group.database replace',
        'security-group.instances replace',
        'security-group.load-balancer replace',
        'subnet.private-a replace',
        'subnet.private-b replace',
        'subnet.public-a replace',
        'subnet.public-b replace',
        'vpc.main replace',
      ]);
      // the new NAT gateway reuses the elastic IP the deleted one released
      const applied = await run('apply');
      assert.deepEqual(applied.failures, []);
      assert.deepEqual(changed((await run('plan')).plan), [], 'converged in one apply');
      assert.equal((await live()).get(addresses.vpc())?.properties.cidrBlock, '10.1.0.0/16');
    } finally {
      stack = original;
    }
  });

  test('one destroy removes the whole network, the NAT address released after its gateway', async () => {
    const destroyed = await run('destroy');
    assert.deepEqual(destroyed.failures, []);
    assert.deepEqual([...(await live()).keys()], []);
  });
});
