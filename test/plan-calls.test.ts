/**
 * The no-op plan's AWS calls are the API floor of docs/PERFORMANCE.md: every call, counted by a
 * proxy between the SDK and the local cloud, matches its formula over the stacks planned, no
 * request is sent twice in a pass, and no service ever has more requests in flight than the
 * concurrency limit. The formulas take the resource counts of the reference stack, so they stay
 * true as kinds are added: a new kind adds its own reads below.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ServiceLimits } from '../reconciler/aws/concurrency.ts';
import { reconcile } from '../reconciler/engine/reconcile.ts';
import { expandStack } from '../reconciler/graph/expand.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { type AwsProxy, startAwsProxy } from './helpers/aws-proxy.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';
import { referenceCopies } from './helpers/reference-copies.ts';

/** Count is how many resources of a kind the planned stacks hold. */
type Count = (kind: string) => number;

/** Floor is the calls of one operation in a no-op plan of `stacks` stacks (`tags`: tags of a kind's resources). */
type Floor = (count: Count, stacks: number, tags: Count) => number;

const once: Floor = () => 1;
const each =
  (kind: string, times = 1): Floor =>
  (count) =>
    times * count(kind);
const pages =
  (size: number, ...kinds: string[]): Floor =>
  (count) =>
    Math.max(1, Math.ceil(kinds.reduce((sum, kind) => sum + count(kind), 0) / size));
/** taggingPages: a GetResources page ends at 100 resources or 500 tags, whichever comes first. */
const taggingPages =
  (...kinds: string[]): Floor =>
  (count, _stacks, tags) => {
    const total = (of: Count) => kinds.reduce((sum, kind) => sum + of(kind), 0);
    return Math.max(1, Math.ceil(total(count) / 100), Math.ceil(total(tags) / 500));
  };

/** FLOOR is, per kind, the reads of its observe (`service Operation`) and how many a plan makes. */
export const FLOOR: Record<string, Record<string, Floor>> = {
  vpc: { 'ec2 DescribeVpcs': once, 'ec2 DescribeVpcAttribute': each('vpc', 2) },
  subnet: { 'ec2 DescribeSubnets': once },
  'internet-gateway': { 'ec2 DescribeInternetGateways': once },
  'elastic-ip': { 'ec2 DescribeAddresses': once },
  'nat-gateway': { 'ec2 DescribeNatGateways': once },
  'route-table': { 'ec2 DescribeRouteTables': once },
  'security-group': { 'ec2 DescribeSecurityGroups': once },
  // one tagging API read (100 resources a page) holds the tags of these kinds together
  'log-group': {
    'logs DescribeLogGroups': pages(50, 'log-group'),
    'tagging GetResources': taggingPages(
      'log-group',
      'db-subnet-group',
      'sns-topic',
      'metric-alarm',
    ),
  },
  'iam-role': { 'iam GetAccountAuthorizationDetails': once, 'iam ListRoles': once },
  'load-balancer': {
    'elasticloadbalancing DescribeLoadBalancers': once,
    'elasticloadbalancing DescribeLoadBalancerAttributes': each('load-balancer'),
    // DescribeTags takes 20 ARNs: load balancers, target groups and listeners each in their own
    'elasticloadbalancing DescribeTags': (count, stacks, tags) =>
      ['load-balancer', 'target-group', 'listener']
        .map((kind) => pages(20, kind)(count, stacks, tags))
        .reduce((a, b) => a + b, 0),
  },
  'target-group': {
    'elasticloadbalancing DescribeTargetGroups': once,
    'elasticloadbalancing DescribeTargetGroupAttributes': each('target-group'),
  },
  listener: {
    'elasticloadbalancing DescribeListeners': each('load-balancer'),
    'elasticloadbalancing DescribeRules': each('listener'),
  },
  // a stack's cluster has the stack's name: DescribeClusters by 100 names, no ListClusters
  'ecs-cluster': { 'ecs DescribeClusters': pages(100, 'ecs-cluster') },
  'task-definition': {
    'ecs ListTaskDefinitionFamilies': once,
    'ecs DescribeTaskDefinition': each('task-definition'),
  },
  'ecs-service': {
    'ecs ListServices': each('ecs-cluster'),
    'ecs DescribeServices': (count) =>
      count('ecs-cluster') * Math.ceil(count('ecs-service') / count('ecs-cluster') / 10),
  },
  'db-subnet-group': { 'rds DescribeDBSubnetGroups': once },
  'db-instance': { 'rds DescribeDBInstances': once },
  // a read replica is a DB instance: read by db-instance's DescribeDBInstances
  'db-replica': {},
  'ecr-repository': {
    'ecr DescribeRepositories': once,
    'ecr ListTagsForResource': each('ecr-repository'),
    'ecr GetLifecyclePolicy': each('ecr-repository'),
  },
  'instance-profile': {
    'iam ListInstanceProfiles': once,
    'iam GetInstanceProfile': each('instance-profile'),
  },
  'launch-template': {
    'ec2 DescribeLaunchTemplates': pages(200, 'launch-template'),
    'ec2 DescribeLaunchTemplateVersions': each('launch-template'),
    // the image id of the newest ECS-optimized AMI, a look-up of the spec's `image: latest`
    'ssm GetParameters': once,
  },
  'auto-scaling-group': { 'autoscaling DescribeAutoScalingGroups': once },
  'capacity-provider': { 'ecs DescribeCapacityProviders': once },
  'scalable-target': {
    'application-autoscaling DescribeScalableTargets': once,
    'application-autoscaling ListTagsForResource': each('scalable-target'),
    // the namespace's schedules, 50 a page: the reference stack has none
    'application-autoscaling DescribeScheduledActions': once,
  },
  // the namespace's policies, 10 a page
  'scaling-policy': {
    'application-autoscaling DescribeScalingPolicies': pages(10, 'scaling-policy'),
  },
  'sns-topic': {},
  'sns-subscription': { 'sns ListSubscriptionsByTopic': each('sns-topic') },
  'metric-alarm': { 'monitoring DescribeAlarms': pages(100, 'metric-alarm') },
  dashboard: {
    'monitoring ListDashboards': once,
    'monitoring GetDashboard': each('dashboard'),
    'monitoring ListTagsForResource': each('dashboard'),
  },
};

/** BASE_KINDS are the kinds the no-op plan's ceiling (31 / 111 / 482 calls) was set for. */
const BASE_KINDS = [
  'vpc',
  'subnet',
  'internet-gateway',
  'elastic-ip',
  'nat-gateway',
  'route-table',
  'security-group',
  'log-group',
  'iam-role',
  'load-balancer',
  'target-group',
  'listener',
  'ecs-cluster',
  'task-definition',
  'ecs-service',
  'db-subnet-group',
  'db-instance',
];

/** counter counts the planned stacks' resources of each kind, and their tags. */
function counter(stacks: Stack[]): { count: Count; tags: Count } {
  const counts = new Map<string, number>();
  const tags = new Map<string, number>();
  for (const stack of stacks) {
    for (const resource of expandStack(stack)) {
      counts.set(resource.kind, (counts.get(resource.kind) ?? 0) + 1);
      tags.set(resource.kind, (tags.get(resource.kind) ?? 0) + Object.keys(resource.tags).length);
    }
  }
  return { count: (kind) => counts.get(kind) ?? 0, tags: (kind) => tags.get(kind) ?? 0 };
}

/** floorOf is the calls per operation the formulas give for a no-op plan of `stacks`. */
function floorOf(stacks: Stack[], kinds = Object.keys(FLOOR)): Map<string, number> {
  const all = counter(stacks);
  // as if only `kinds` existed: a read shared with other kinds pages over these kinds' resources
  const only =
    (of: Count): Count =>
    (kind) =>
      kinds.includes(kind) ? of(kind) : 0;
  const [count, tags] = [only(all.count), only(all.tags)];
  const floor = new Map<string, number>();
  for (const kind of kinds) {
    for (const [operation, formula] of Object.entries(FLOOR[kind] ?? {})) {
      floor.set(operation, (floor.get(operation) ?? 0) + formula(count, stacks.length, tags));
    }
  }
  return floor;
}

const total = (calls: Map<string, number>) => [...calls.values()].reduce((a, b) => a + b, 0);

let moto: MotoServer;
let proxy: AwsProxy;
let applied: Stack[];

before(async () => {
  moto = await startMoto();
  proxy = await startAwsProxy(moto.endpoint);
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  applied = await referenceCopies(3);
  const result = await reconcile({ stacks: applied, mode: 'apply' });
  assert.deepStrictEqual(result.failures, []);
});

after(async () => {
  await proxy?.close();
  await moto?.stop();
});

async function noOpPlan(stacks: Stack[], concurrency?: ServiceLimits) {
  proxy.reset();
  const result = await reconcile({ stacks, mode: 'plan', concurrency });
  const calls = new Map<string, number>();
  const bodies = new Map<string, number>();
  for (const call of proxy.calls()) {
    const key = `${call.service} ${call.operation}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
    const request = `${key} ${call.body}`;
    bodies.set(request, (bodies.get(request) ?? 0) + 1);
  }
  return { result, calls, repeated: [...bodies].filter(([, times]) => times > 1) };
}

for (const stacks of [1, 3]) {
  test(`a no-op plan of ${stacks} reference stacks makes the floor's calls, none twice`, async () => {
    const planned = applied.slice(0, stacks);
    const { result, calls, repeated } = await noOpPlan(planned);
    assert.equal(result.plan.summary.add + result.plan.summary.change, 0, 'the plan is a no-op');
    const floor = floorOf(planned);
    const unknown = [...calls.keys()].filter((operation) => !floor.has(operation));
    assert.deepStrictEqual(unknown, [], 'operations without a formula in FLOOR');
    assert.deepStrictEqual(Object.fromEntries(calls), Object.fromEntries(floor));
    assert.deepStrictEqual(repeated, [], 'requests sent twice in one pass');
  });
}

test('the floor of the base kinds is at most 31 / 111 / 482 calls for 1 / 10 / 50 stacks', async () => {
  const ceilings = { 1: 31, 10: 111, 50: 482 };
  for (const [stacks, ceiling] of Object.entries(ceilings)) {
    const calls = total(floorOf(await referenceCopies(Number(stacks)), BASE_KINDS));
    assert.ok(calls <= ceiling, `${stacks} stacks: ${calls} calls, more than ${ceiling}`);
  }
});

test('every kind of the reference stack has its reads in FLOOR', () => {
  const kinds = new Set(expandStack(applied[0] as Stack).map((resource) => resource.kind));
  assert.deepStrictEqual(
    [...kinds].filter((kind) => !(kind in FLOOR)),
    [],
  );
});

test('a plan of 50 stacks never has more requests of a service in flight than the limit', async () => {
  const limit = 2;
  const { calls } = await noOpPlan(await referenceCopies(50), new ServiceLimits(limit));
  assert.ok(total(calls) > 0);
  const services = new Set(proxy.calls().map((call) => call.service));
  for (const service of services) {
    assert.ok(proxy.peakInFlight(service) <= limit, `${service}: ${proxy.peakInFlight(service)}`);
  }
  assert.ok(proxy.peakInFlight() > limit, 'services run side by side');
});
