import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancerAttributesCommand,
  type LoadBalancer,
  type LoadBalancerAttribute,
  ModifyLoadBalancerAttributesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { tagMapToList } from '../aws/tags.ts';
import { call, defineKind, type Live } from './kit/define-kind.ts';
import { LOAD_BALANCER_READS, taggedLoadBalancers } from './kit/elbv2-listings.ts';
import { required } from './kit/errors.ts';
import { sortedValues, sortingSets } from './kit/json.ts';
import { foundByName } from './kit/names.ts';
import { pick } from './kit/outputs.ts';
import { readEach } from './kit/read-each.ts';
import { confirmOwned, elbv2Tagging, inStacks, type Tagged } from './kit/tagging/elbv2.ts';
import type { FieldRule, ResourceContext, ResourceStatus } from './types.ts';

/** LoadBalancerProperties is an Application Load Balancer as the spec and observe describe it. */
export type LoadBalancerProperties = {
  name: string;
  scheme: 'internet-facing' | 'internal';
  type: 'application';
  /** Subnet ids, sorted. */
  subnets: string[];
  /** Security group ids, sorted. */
  securityGroups: string[];
  idleTimeoutSeconds: number;
};

/** LOAD_BALANCER_FIELDS: name, scheme and type are fixed at creation; the rest updates in place. */
export const LOAD_BALANCER_FIELDS: Record<string, FieldRule> = {
  name: 'replace',
  scheme: 'replace',
  type: 'replace',
  subnets: 'update',
  securityGroups: 'update',
  idleTimeoutSeconds: 'update',
};

/** IDLE_TIMEOUT_ATTRIBUTE is the load balancer attribute holding the idle timeout. */
export const IDLE_TIMEOUT_ATTRIBUTE = 'idle_timeout.timeout_seconds';

const NOT_FOUND = ['LoadBalancerNotFound', 'LoadBalancerNotFoundException'];

/** loadBalancerStatus maps the ALB state: provisioning is pending (requeue), failed is failed. */
export function loadBalancerStatus(state: string | undefined): ResourceStatus {
  if (state === 'provisioning') return 'pending';
  if (state === 'failed') return 'failed';
  return 'ready';
}

/**
 * observedLoadBalancerProperties normalizes a DescribeLoadBalancers entry and its attributes;
 * every attribute but the idle timeout is an AWS default the reconciler does not manage.
 */
export function observedLoadBalancerProperties(
  balancer: LoadBalancer,
  attributes: readonly LoadBalancerAttribute[],
): LoadBalancerProperties {
  const idle = attributes.find((attribute) => attribute.Key === IDLE_TIMEOUT_ATTRIBUTE)?.Value;
  return {
    name: balancer.LoadBalancerName ?? '',
    scheme: (balancer.Scheme ?? 'internet-facing') as LoadBalancerProperties['scheme'],
    type: (balancer.Type ?? 'application') as LoadBalancerProperties['type'],
    subnets: sortedValues(
      (balancer.AvailabilityZones ?? []).map((zone) => zone.SubnetId ?? '').filter(Boolean),
    ),
    securityGroups: sortedValues(balancer.SecurityGroups ?? []),
    idleTimeoutSeconds: Number(idle ?? 60),
  };
}

/** LiveLoadBalancer is one load balancer with its tags and its attributes. */
type LiveLoadBalancer = Tagged<LoadBalancer> & { attributes: LoadBalancerAttribute[] };

/** loadBalancerHandler manages Application Load Balancers, identified by ARN (`id`). */
export const loadBalancerHandler = defineKind<LoadBalancerProperties, LiveLoadBalancer>({
  kind: 'load-balancer',
  outputs: (balancer) => pick(balancer.attributes, ['dnsName']),
  fields: LOAD_BALANCER_FIELDS,
  after: ['subnet', 'security-group'],
  tagging: elbv2Tagging,
  notFound: NOT_FOUND,
  alreadyExists: ['DuplicateLoadBalancerName'],
  // CreateLoadBalancer takes no attributes: the idle timeout's updater sets it
  updateAfterCreate: true,
  iamActions: {
    read: [...LOAD_BALANCER_READS, 'elasticloadbalancing:DescribeLoadBalancerAttributes'],
    write: [
      'elasticloadbalancing:CreateLoadBalancer',
      'elasticloadbalancing:ModifyLoadBalancerAttributes',
      'elasticloadbalancing:SetSubnets',
      'elasticloadbalancing:SetSecurityGroups',
      'elasticloadbalancing:DeleteLoadBalancer',
    ],
    scope: {
      arn: 'arn:aws:elasticloadbalancing:*:{account}:loadbalancer/*',
      create: ['elasticloadbalancing:CreateLoadBalancer'],
    },
  },

  /** Load balancers of the pass (shared with listeners), then one attribute read per one of ours. */
  list: async (ctx) =>
    readEach(inStacks(ctx, await taggedLoadBalancers(ctx)), NOT_FOUND, (entry) =>
      withAttributes(ctx, entry),
    ),

  toObserved,
  normalize: sortingSets('subnets', 'securityGroups'),

  /** ELBv2 may answer a create with an existing load balancer of the same settings: confirm it is ours. */
  async create(ctx, desired) {
    const { name, type, scheme, subnets, securityGroups } = desired.properties;
    const created = await ctx.clients.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: name,
        Type: type,
        Scheme: scheme,
        IpAddressType: 'ipv4',
        Subnets: subnets,
        SecurityGroups: securityGroups,
        Tags: tagMapToList(desired.tags),
      }),
    );
    const balancer = required(created.LoadBalancers?.[0], 'CreateLoadBalancer returned nothing');
    const arn = required(balancer.LoadBalancerArn, 'CreateLoadBalancer returned no ARN');
    await confirmOwned(ctx, arn, desired);
    return toObserved({ resource: balancer, arn, tags: { ...desired.tags }, attributes: [] });
  },

  updaters: {
    subnets: call((ctx, { subnets }, arn) =>
      ctx.clients.elbv2.send(new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: subnets })),
    ),
    securityGroups: call((ctx, { securityGroups }, arn) =>
      ctx.clients.elbv2.send(
        new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: securityGroups }),
      ),
    ),
    idleTimeoutSeconds: call((ctx, { idleTimeoutSeconds }, arn) =>
      ctx.clients.elbv2.send(
        new ModifyLoadBalancerAttributesCommand({
          LoadBalancerArn: arn,
          Attributes: [{ Key: IDLE_TIMEOUT_ATTRIBUTE, Value: String(idleTimeoutSeconds) }],
        }),
      ),
    ),
  },

  /** Deletes the load balancer; its listeners go with it. */
  async destroy(ctx, observed) {
    await ctx.clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: observed.id }));
  },

  /** Names are unique per region: a load balancer holding a desired name, whatever its tags. */
  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await taggedLoadBalancers(ctx),
      nameOf: (entry) => entry.resource.LoadBalancerName,
      notFound: NOT_FOUND,
      read: (entry) => withAttributes(ctx, entry),
      toObserved,
    }),
});

function toObserved(live: LiveLoadBalancer): Live<LoadBalancerProperties> {
  return {
    id: live.arn,
    properties: observedLoadBalancerProperties(live.resource, live.attributes),
    tags: live.tags,
    status: loadBalancerStatus(live.resource.State?.Code),
    attributes: attributesOf(live.resource),
  };
}

/**
 * attributesOf is what other resources refer to: listeners the ARN, DNS records the name and
 * zone, alarms and dashboards the `LoadBalancer` metric dimension (the ARN after `loadbalancer/`).
 */
function attributesOf(balancer: LoadBalancer): Record<string, string> {
  const arn = balancer.LoadBalancerArn ?? '';
  return {
    arn,
    metricDimension: arn.replace(/^.*?:loadbalancer\//, ''),
    name: balancer.LoadBalancerName ?? '',
    dnsName: balancer.DNSName ?? '',
    canonicalHostedZoneId: balancer.CanonicalHostedZoneId ?? '',
  };
}

async function withAttributes(
  ctx: ResourceContext,
  entry: Tagged<LoadBalancer>,
): Promise<LiveLoadBalancer> {
  const described = await ctx.clients.elbv2.send(
    new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: entry.arn }),
  );
  return { ...entry, attributes: described.Attributes ?? [] };
}
