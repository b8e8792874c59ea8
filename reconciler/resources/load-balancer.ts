import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  type LoadBalancer,
  type LoadBalancerAttribute,
  ModifyLoadBalancerAttributesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isNotFound } from '../aws/errors.ts';
import { tagMapToList } from '../aws/tags.ts';
import { mapBounded } from '../lib/pool.ts';
import { diffProperties, diffTags } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import {
  changedFields,
  confirmCreated,
  describeElbv2Tags,
  ELBV2_PAGE_SIZE,
  hasTagChanges,
  type OwnedArn,
  ownedArns,
  PER_RESOURCE_READS,
  removeElbv2Resource,
  sortedValues,
  tagsAfterUpdate,
  wrapError,
  writeElbv2Tags,
} from './elbv2-common.ts';
import type {
  DeleteOptions,
  DesiredResource,
  FieldRule,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
  ResourceStatus,
  Tags,
} from './types.ts';

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

function toObserved(
  balancer: LoadBalancer,
  properties: LoadBalancerProperties,
  owner: { stack: string; address: string },
  tags: Tags,
): ObservedResource<LoadBalancerProperties> {
  const arn = balancer.LoadBalancerArn ?? '';
  return {
    address: owner.address,
    kind: 'load-balancer',
    stack: owner.stack,
    id: arn,
    properties,
    tags,
    status: loadBalancerStatus(balancer.State?.Code),
    attributes: {
      id: arn,
      arn,
      name: balancer.LoadBalancerName ?? '',
      dnsName: balancer.DNSName ?? '',
      canonicalHostedZoneId: balancer.CanonicalHostedZoneId ?? '',
    },
  };
}

/** describeAllLoadBalancers pages through DescribeLoadBalancers (every ALB and NLB of the region). */
export async function describeAllLoadBalancers(ctx: ResourceContext): Promise<LoadBalancer[]> {
  const balancers: LoadBalancer[] = [];
  let marker: string | undefined;
  do {
    const page = await ctx.clients.elbv2.send(
      new DescribeLoadBalancersCommand({
        PageSize: ELBV2_PAGE_SIZE,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    balancers.push(...(page.LoadBalancers ?? []));
    marker = page.NextMarker;
  } while (marker);
  return balancers;
}

/** ownedLoadBalancers is DescribeLoadBalancers plus DescribeTags (20 ARNs a call), kept to ctx.stacks. */
export async function ownedLoadBalancers(
  ctx: ResourceContext,
): Promise<Array<OwnedArn & { balancer: LoadBalancer }>> {
  if (ctx.stacks.length === 0) return [];
  const balancers = await describeAllLoadBalancers(ctx);
  const byArn = new Map(balancers.map((balancer) => [balancer.LoadBalancerArn ?? '', balancer]));
  const arns = [...byArn.keys()].filter(Boolean);
  const owned = ownedArns(arns, await describeElbv2Tags(ctx, arns), ctx.stacks);
  return owned.map((entry) => ({ ...entry, balancer: byArn.get(entry.arn)! }));
}

async function readAttributes(ctx: ResourceContext, arn: string): Promise<LoadBalancerAttribute[]> {
  const described = await ctx.clients.elbv2.send(
    new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }),
  );
  return described.Attributes ?? [];
}

async function observeAll(
  ctx: ResourceContext,
): Promise<ObservedResource<LoadBalancerProperties>[]> {
  const observed = await mapBounded(
    await ownedLoadBalancers(ctx),
    PER_RESOURCE_READS,
    async (owned) => {
      let attributes: LoadBalancerAttribute[];
      try {
        attributes = await readAttributes(ctx, owned.arn);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
      const properties = observedLoadBalancerProperties(owned.balancer, attributes);
      return toObserved(owned.balancer, properties, owned, owned.tags);
    },
  );
  return observed.filter((resource) => resource !== undefined);
}

function normalize(properties: LoadBalancerProperties): LoadBalancerProperties {
  return {
    ...properties,
    subnets: sortedValues(properties.subnets ?? []),
    securityGroups: sortedValues(properties.securityGroups ?? []),
  };
}

function diff(
  desired: LoadBalancerProperties,
  observed: LoadBalancerProperties,
  desiredTags: Tags,
  observedTags: Tags,
): FieldChange[] {
  return [
    ...diffProperties(normalize(desired), normalize(observed), LOAD_BALANCER_FIELDS),
    ...diffTags(desiredTags, observedTags),
  ];
}

async function setIdleTimeout(ctx: ResourceContext, arn: string, seconds: number): Promise<void> {
  await ctx.clients.elbv2.send(
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: arn,
      Attributes: [{ Key: IDLE_TIMEOUT_ATTRIBUTE, Value: String(seconds) }],
    }),
  );
}

async function create(
  ctx: ResourceContext,
  desired: DesiredResource<LoadBalancerProperties>,
): Promise<ObservedResource<LoadBalancerProperties>> {
  const properties = normalize(desired.properties);
  try {
    const created = await ctx.clients.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: properties.name,
        Type: properties.type,
        Scheme: properties.scheme,
        IpAddressType: 'ipv4',
        Subnets: properties.subnets,
        SecurityGroups: properties.securityGroups,
        Tags: tagMapToList(desired.tags),
      }),
    );
    const balancer = created.LoadBalancers?.[0];
    if (!balancer?.LoadBalancerArn) throw new Error('CreateLoadBalancer returned no load balancer');
    await confirmCreated(ctx, balancer.LoadBalancerArn, desired);
    await setIdleTimeout(ctx, balancer.LoadBalancerArn, properties.idleTimeoutSeconds);
    return toObserved(balancer, properties, desired, desired.tags);
  } catch (err) {
    throw wrapError(`cannot create load balancer ${properties.name} (${desired.address})`, err);
  }
}

async function update(
  ctx: ResourceContext,
  desired: DesiredResource<LoadBalancerProperties>,
  observed: ObservedResource<LoadBalancerProperties>,
  changes: FieldChange[],
): Promise<ObservedResource<LoadBalancerProperties>> {
  const arn = observed.id;
  const want = normalize(desired.properties);
  const fields = changedFields(changes);
  const properties: LoadBalancerProperties = { ...observed.properties };
  try {
    if (fields.has('subnets')) {
      await ctx.clients.elbv2.send(
        new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: want.subnets }),
      );
      properties.subnets = want.subnets;
    }
    if (fields.has('securityGroups')) {
      await ctx.clients.elbv2.send(
        new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: want.securityGroups }),
      );
      properties.securityGroups = want.securityGroups;
    }
    if (fields.has('idleTimeoutSeconds')) {
      await setIdleTimeout(ctx, arn, want.idleTimeoutSeconds);
      properties.idleTimeoutSeconds = want.idleTimeoutSeconds;
    }
    let tags = observed.tags;
    if (hasTagChanges(changes)) {
      await writeElbv2Tags(ctx, arn, desired.tags, observed.tags);
      tags = tagsAfterUpdate(desired.tags, observed.tags);
    }
    return { ...observed, properties, tags };
  } catch (err) {
    throw wrapError(
      `cannot update load balancer ${observed.attributes.name} (${observed.address})`,
      err,
    );
  }
}

/** remove deletes the load balancer (its listeners go with it); retain and snapshot only untag it. */
async function remove(
  ctx: ResourceContext,
  observed: ObservedResource<LoadBalancerProperties>,
  options: DeleteOptions,
): Promise<void> {
  await removeElbv2Resource(ctx, observed, options, 'load balancer', () =>
    ctx.clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: observed.id })),
  );
}

/** loadBalancerHandler manages Application Load Balancers, identified by ARN (`id`). */
export const loadBalancerHandler: ResourceHandler<LoadBalancerProperties> = {
  kind: 'load-balancer',
  fields: LOAD_BALANCER_FIELDS,
  observeAll,
  diff,
  create,
  update,
  delete: remove,
};
