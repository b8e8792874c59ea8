import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyRuleCommand,
  ModifyTargetGroupCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { TAG_ADDRESS, TAG_STACK } from '../reconciler/aws/tags.ts';
import { resolveRefs } from '../reconciler/engine/refs.ts';
import { addresses } from '../reconciler/graph/addresses.ts';
import { expandLoadBalancer } from '../reconciler/graph/expand-load-balancer.ts';
import { ResourceError } from '../reconciler/resources/kit/errors.ts';
import { createMemo } from '../reconciler/resources/kit/memo.ts';
import { confirmOwned } from '../reconciler/resources/kit/tagging/elbv2.ts';
import { type ListenerProperties, listenerHandler } from '../reconciler/resources/listener.ts';
import {
  type LoadBalancerProperties,
  loadBalancerHandler,
} from '../reconciler/resources/load-balancer.ts';
import {
  type TargetGroupProperties,
  targetGroupHandler,
} from '../reconciler/resources/target-group.ts';
import type {
  DesiredResource,
  Logger,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
} from '../reconciler/resources/types.ts';
import { withDefaults } from '../reconciler/spec/defaults.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const region = 'us-west-2';
const zones: [string, string] = ['us-west-2a', 'us-west-2b'];
const silent: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child: () => silent,
};

function stackSpec(name: string): Stack {
  const spec: Stack = {
    name,
    region,
    tags: { team: 'web' },
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: zones,
      publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
      privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
    },
    loadBalancer: {
      idleTimeoutSeconds: 60,
      listeners: [
        { port: 80, protocol: 'HTTP' },
        { port: 8080, protocol: 'HTTP', redirectToHttps: true },
      ],
      healthCheck: { matcher: '200-299', intervalSeconds: 15, healthyThreshold: 2 },
      deregistrationDelaySeconds: 30,
    },
    services: [
      { name: 'api', image: 'app/api:1', port: 3000, logGroup: '/app', loadBalancer: {} },
      {
        name: 'v2',
        image: 'app/v2:1',
        port: 3001,
        logGroup: '/app',
        healthCheckPath: '/ready',
        loadBalancer: { pathPatterns: ['/v2/*'] },
      },
    ],
  };
  return spec;
}

let moto: MotoServer;
let clients: AwsClients;
/** live holds the attributes Refs resolve to: the network made here, the ELBv2 resources as created. */
let live: Map<string, Record<string, string>>;

before(async () => {
  moto = await startMoto({
    env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'false', MOTO_EC2_LOAD_DEFAULT_AMIS: 'false' },
  });
});
after(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  clients?.destroy();
  clients = createClients({ region });
  live = new Map();
  const vpc = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc!.VpcId!;
  live.set(addresses.vpc(), { id: vpcId });
  for (const [index, zone] of zones.entries()) {
    for (const [tier, third] of [
      ['public', index],
      ['private', 10 + index],
    ] as const) {
      const subnet = await clients.ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `10.0.${third}.0/24`,
          AvailabilityZone: zone,
        }),
      );
      live.set(addresses.subnet(tier, zone), { id: subnet.Subnet!.SubnetId! });
    }
  }
  const group = await clients.ec2.send(
    new CreateSecurityGroupCommand({ GroupName: 'alb', Description: 'alb', VpcId: vpcId }),
  );
  live.set(addresses.loadBalancerSecurityGroup(), { id: group.GroupId! });
});

function context(stacks: string[]): ResourceContext {
  return { clients, region, stacks, log: silent };
}

/** resolved expands a stack and resolves its Refs from `live`, as the engine does before create. */
function resolved<P>(stack: string, address: string, spec = stackSpec(stack)): DesiredResource<P> {
  const resource = expandLoadBalancer(withDefaults(spec)).find((item) => item.address === address);
  assert.ok(resource, `${address} is expanded`);
  const properties = resolveRefs(resource.properties, (target) => {
    const value = live.get(target.$ref)?.[target.attr];
    assert.ok(value, `${target.$ref}.${target.attr} is known`);
    return value;
  });
  return { ...resource, properties } as DesiredResource<P>;
}

async function createAll(stack: string): Promise<void> {
  const ctx = context([stack]);
  const balancer = await loadBalancerHandler.create(
    ctx,
    resolved<LoadBalancerProperties>(stack, 'load-balancer.main'),
  );
  live.set('load-balancer.main', balancer.attributes);
  for (const service of ['api', 'v2']) {
    const group = await targetGroupHandler.create(
      ctx,
      resolved<TargetGroupProperties>(stack, addresses.targetGroup(service)),
    );
    live.set(addresses.targetGroup(service), group.attributes);
  }
  for (const address of ['listener.http-80', 'listener.http-8080']) {
    await listenerHandler.create(ctx, resolved<ListenerProperties>(stack, address));
  }
}

/** lifecycle checks one resource from create to a second delete, with one out-of-band change. */
async function lifecycle<P extends Record<string, unknown>>(
  handler: ResourceHandler<P>,
  desired: DesiredResource<P>,
  created: ObservedResource<P>,
  driftOutOfBand: (observed: ObservedResource<P>) => Promise<void>,
  expectedDrift: string[],
): Promise<void> {
  const ctx = context([desired.stack]);
  const find = async () =>
    (await handler.observeAll(ctx)).filter((resource) => resource.address === desired.address);
  let observed = await find();
  assert.equal(observed.length, 1, `exactly one ${desired.address}`);
  assert.equal(observed[0]!.id, created.id);
  assert.deepEqual(observed[0]!.properties, created.properties);
  assert.deepEqual(
    handler.diff(desired.properties, observed[0]!.properties, desired.tags, observed[0]!.tags),
    [],
  );

  await driftOutOfBand(observed[0]!);
  observed = await find();
  const changes = handler.diff(
    desired.properties,
    observed[0]!.properties,
    desired.tags,
    observed[0]!.tags,
  );
  assert.deepEqual(
    changes.map((change) => change.path),
    expectedDrift,
  );
  assert.equal(
    changes.some((change) => change.forcesReplacement),
    false,
  );
  const updated = await handler.update(ctx, desired, observed[0]!, changes);
  observed = await find();
  assert.deepEqual(observed[0]!.properties, updated.properties);
  assert.deepEqual(
    handler.diff(desired.properties, observed[0]!.properties, desired.tags, observed[0]!.tags),
    [],
  );

  await handler.delete(ctx, observed[0]!, { deletionPolicy: 'delete' });
  assert.deepEqual(await find(), []);
  await handler.delete(ctx, observed[0]!, { deletionPolicy: 'delete' });
}

test('a load balancer goes through create, drift, update and delete', async () => {
  const desired = resolved<LoadBalancerProperties>('alpha', 'load-balancer.main');
  const created = await loadBalancerHandler.create(context(['alpha']), desired);
  assert.equal(created.attributes.name, 'alpha');
  assert.ok(created.attributes.dnsName);
  assert.ok(created.attributes.canonicalHostedZoneId);
  await lifecycle(
    loadBalancerHandler,
    desired,
    created,
    async (observed) => {
      await clients.elbv2.send(
        new ModifyLoadBalancerAttributesCommand({
          LoadBalancerArn: observed.id,
          Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }],
        }),
      );
      await clients.elbv2.send(
        new RemoveTagsCommand({ ResourceArns: [observed.id], TagKeys: ['team'] }),
      );
    },
    ['idleTimeoutSeconds', 'tags.team'],
  );
});

test('a target group goes through create, drift, update and delete', async () => {
  const desired = resolved<TargetGroupProperties>('alpha', 'target-group.v2');
  assert.equal(desired.properties.healthCheck.path, '/ready');
  const created = await targetGroupHandler.create(context(['alpha']), desired);
  await lifecycle(
    targetGroupHandler,
    desired,
    created,
    async (observed) => {
      await clients.elbv2.send(
        new ModifyTargetGroupCommand({ TargetGroupArn: observed.id, HealthCheckPath: '/changed' }),
      );
    },
    ['healthCheck.path'],
  );
});

test('a listener with a path rule goes through create, drift, update and delete', async () => {
  await createAll('alpha');
  const desired = resolved<ListenerProperties>('alpha', 'listener.http-80');
  assert.equal(desired.properties.rules.length, 1);
  const [created] = (await listenerHandler.observeAll(context(['alpha']))).filter(
    (listener) => listener.address === 'listener.http-80',
  );
  assert.ok(created);
  await lifecycle(
    listenerHandler,
    desired,
    created,
    async (observed) => {
      const rules = await clients.elbv2.send(
        new DescribeRulesCommand({ ListenerArn: observed.id }),
      );
      const rule = rules.Rules!.find((candidate) => !candidate.IsDefault)!;
      await clients.elbv2.send(
        new ModifyRuleCommand({
          RuleArn: rule.RuleArn,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/old/*'] } }],
        }),
      );
      await clients.elbv2.send(
        new RemoveTagsCommand({ ResourceArns: [observed.id], TagKeys: ['team'] }),
      );
    },
    ['rules[0].pathPatterns[0]', 'tags.team'],
  );
});

test('the redirect listener has no rules and no drift right after create', async () => {
  await createAll('alpha');
  const desired = resolved<ListenerProperties>('alpha', 'listener.http-8080');
  const observed = (await listenerHandler.observeAll(context(['alpha']))).find(
    (listener) => listener.address === 'listener.http-8080',
  );
  assert.ok(observed);
  assert.deepEqual(observed.properties.defaultAction, {
    type: 'redirect',
    protocol: 'HTTPS',
    port: '443',
    statusCode: 'HTTP_301',
  });
  assert.deepEqual(observed.properties.rules, []);
  assert.deepEqual(
    listenerHandler.diff(desired.properties, observed.properties, desired.tags, observed.tags),
    [],
  );
});

/** requestCertificate asks moto's ACM for a certificate (no ACM client is installed: raw JSON protocol). */
async function requestCertificate(): Promise<string> {
  const response = await fetch(`${moto.endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'CertificateManager.RequestCertificate',
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/acm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ DomainName: 'app.example.com' }),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { CertificateArn: string }).CertificateArn;
}

test('an HTTPS listener carries its certificate and TLS policy; a changed policy is corrected', async () => {
  await createAll('alpha');
  const certificateArn = await requestCertificate();
  const spec = stackSpec('alpha');
  spec.loadBalancer!.listeners = [{ port: 443, protocol: 'HTTPS', certificateArn }];
  const desired = resolved<ListenerProperties>('alpha', 'listener.https-443', spec);
  assert.equal(desired.properties.sslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06');
  const created = await listenerHandler.create(context(['alpha']), desired);
  await lifecycle(
    listenerHandler,
    desired,
    created,
    async (observed) => {
      await clients.elbv2.send(
        new ModifyListenerCommand({
          ListenerArn: observed.id,
          SslPolicy: 'ELBSecurityPolicy-2016-08',
        }),
      );
    },
    ['sslPolicy'],
  );
});

test('untagged load balancers and those of other stacks are never observed; retain only untags', async () => {
  await createAll('alpha');
  await createAll('beta');
  const subnets = [live.get('subnet.public-a')!.id!, live.get('subnet.public-b')!.id!];
  await clients.elbv2.send(new CreateLoadBalancerCommand({ Name: 'untagged', Subnets: subnets }));
  await clients.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'half',
      Subnets: subnets,
      Tags: [{ Key: TAG_STACK, Value: 'alpha' }],
    }),
  );

  const ctx = context(['alpha']);
  const observed = [
    ...(await loadBalancerHandler.observeAll(ctx)),
    ...(await targetGroupHandler.observeAll(ctx)),
    ...(await listenerHandler.observeAll(ctx)),
  ];
  assert.deepEqual(observed.map((resource) => `${resource.stack}/${resource.address}`).sort(), [
    'alpha/listener.http-80',
    'alpha/listener.http-8080',
    'alpha/load-balancer.main',
    'alpha/target-group.api',
    'alpha/target-group.v2',
  ]);

  const balancer = observed.find((resource) => resource.kind === 'load-balancer')!;
  await loadBalancerHandler.delete(ctx, balancer as ObservedResource<LoadBalancerProperties>, {
    deletionPolicy: 'retain',
  });
  assert.deepEqual(await loadBalancerHandler.observeAll(ctx), []);
  const tags = await clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: [balancer.id] }));
  assert.deepEqual(tags.TagDescriptions?.[0]?.Tags?.map((tag) => tag.Key).sort(), [
    'environment',
    'team',
  ]);
  const all = await clients.elbv2.send(new DescribeLoadBalancersCommand({}));
  assert.equal(all.LoadBalancers?.length, 4);
});

test('observe calls grow only by the per-resource reads AWS has no batch for', async () => {
  const counts: Record<string, Array<Array<[string, number]>>> = {};
  for (const stacks of [['s1'], ['s2', 's3', 's4']]) {
    for (const stack of stacks) await createAll(stack);
    for (const handler of [
      loadBalancerHandler,
      targetGroupHandler,
      listenerHandler,
    ] as ResourceHandler[]) {
      clients.stats.reset();
      const observed = await handler.observeAll(context(stacks));
      assert.deepEqual([...new Set(observed.map((resource) => resource.stack))].sort(), stacks);
      counts[handler.kind] ??= [];
      counts[handler.kind]!.push(
        clients.stats.entries().map((entry) => [entry.operation, entry.count]),
      );
    }
  }
  assert.deepEqual(counts, {
    'load-balancer': [
      [
        ['DescribeLoadBalancerAttributes', 1],
        ['DescribeLoadBalancers', 1],
        ['DescribeTags', 1],
      ],
      [
        ['DescribeLoadBalancerAttributes', 3],
        ['DescribeLoadBalancers', 1],
        ['DescribeTags', 1],
      ],
    ],
    'target-group': [
      [
        ['DescribeTags', 1],
        ['DescribeTargetGroupAttributes', 2],
        ['DescribeTargetGroups', 1],
      ],
      [
        ['DescribeTags', 1],
        ['DescribeTargetGroupAttributes', 6],
        ['DescribeTargetGroups', 1],
      ],
    ],
    listener: [
      [
        ['DescribeListeners', 1],
        ['DescribeLoadBalancers', 1],
        ['DescribeRules', 2],
        ['DescribeTags', 2],
      ],
      [
        ['DescribeListeners', 3],
        ['DescribeLoadBalancers', 1],
        ['DescribeRules', 6],
        ['DescribeTags', 2],
      ],
    ],
  });
});

test('one observe pass reads the load balancers once for the load balancer and its listeners', async () => {
  await createAll('alpha');
  const ctx = { ...context(['alpha']), memo: createMemo() };
  clients.stats.reset();
  const [balancers, listeners] = await Promise.all([
    loadBalancerHandler.observeAll(ctx),
    listenerHandler.observeAll(ctx),
  ]);
  assert.deepEqual([...balancers, ...listeners].map((resource) => resource.address).sort(), [
    'listener.http-80',
    'listener.http-8080',
    'load-balancer.main',
  ]);
  assert.deepEqual(
    clients.stats.entries().map((entry) => [entry.operation, entry.count]),
    [
      ['DescribeListeners', 1],
      ['DescribeLoadBalancerAttributes', 1],
      ['DescribeLoadBalancers', 1],
      ['DescribeRules', 2],
      ['DescribeTags', 2],
    ],
  );
});

test('a load balancer and a target group that lost their ownership tag are found as not owned, then adopted', async () => {
  await createAll('alpha');
  const ctx = context(['alpha']);
  const cases = [
    {
      handler: loadBalancerHandler as ResourceHandler,
      desired: resolved('alpha', 'load-balancer.main') as DesiredResource,
    },
    {
      handler: targetGroupHandler as ResourceHandler,
      desired: resolved('alpha', 'target-group.api') as DesiredResource,
    },
  ];
  for (const { handler, desired } of cases) {
    const [owned] = await handler
      .observeAll(ctx)
      .then((all) => all.filter((resource) => resource.address === desired.address));
    assert.ok(owned, `${desired.address} is observed`);
    assert.deepEqual(await handler.findUnowned!(ctx, [desired]), [], `${desired.address} is owned`);

    await clients.elbv2.send(
      new RemoveTagsCommand({ ResourceArns: [owned.id], TagKeys: [TAG_ADDRESS] }),
    );
    const observed = await handler.observeAll(ctx);
    assert.equal(observed.filter((resource) => resource.address === desired.address).length, 0);
    const found = await handler.findUnowned!(ctx, [desired]);
    assert.deepEqual(
      found.map((resource) => [resource.stack, resource.address, resource.id]),
      [['alpha', desired.address, owned.id]],
      `${desired.address} is found by name`,
    );
    assert.deepEqual(found[0]!.properties, owned.properties);

    await handler.adopt!(ctx, found[0]!, desired);
    const [adopted] = (await handler.observeAll(ctx)).filter(
      (resource) => resource.address === desired.address,
    );
    assert.ok(adopted, `${desired.address} is observed after adopt`);
    assert.deepEqual(
      [adopted.id, adopted.properties, adopted.tags],
      [owned.id, owned.properties, owned.tags],
      `${desired.address} is as it was before it lost its tag`,
    );
  }
  const missing = resolved<TargetGroupProperties>('alpha', 'target-group.api');
  assert.deepEqual(
    await targetGroupHandler.findUnowned!(ctx, [
      { ...missing, properties: { ...missing.properties, name: 'nobody-has-this' } },
    ]),
    [],
  );
});

test("a create that returns someone else's resource is refused, terminally", async () => {
  const subnets = [live.get('subnet.public-a')!.id!, live.get('subnet.public-b')!.id!];
  const created = await clients.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'alpha',
      Subnets: subnets,
      Tags: [{ Key: TAG_STACK, Value: 'beta' }],
    }),
  );
  const arn = created.LoadBalancers![0]!.LoadBalancerArn!;
  const desired = { kind: 'load-balancer', stack: 'alpha', address: 'load-balancer.main' };
  await assert.rejects(confirmOwned(context(['alpha']), arn, desired), (err: unknown) => {
    assert.ok(err instanceof ResourceError);
    assert.deepEqual(
      [err.kind, err.address, err.operation, err.disposition],
      ['load-balancer', 'load-balancer.main', 'create', 'terminal'],
    );
    assert.equal(
      err.message,
      `cannot create load-balancer.main: ${arn} already exists and is not owned by load-balancer.main of stack alpha: adopt it with \`reconciler adopt --stack alpha load-balancer.main ${arn}\``,
    );
    return true;
  });
  await clients.elbv2.send(
    new AddTagsCommand({
      ResourceArns: [arn],
      Tags: [
        { Key: TAG_STACK, Value: 'alpha' },
        { Key: TAG_ADDRESS, Value: 'load-balancer.main' },
      ],
    }),
  );
  await confirmOwned(context(['alpha']), arn, desired);
});
