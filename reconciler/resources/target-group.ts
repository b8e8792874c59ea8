import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  type TargetGroup,
  type TargetGroupAttribute,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { tagMapToList } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { TARGET_GROUP_READS, taggedTargetGroups } from './kit/elbv2-listings.ts';
import { foundByName } from './kit/names.ts';
import { readEach } from './kit/read-each.ts';
import { confirmOwned, elbv2Tagging, inStacks, type Tagged } from './kit/tagging/elbv2.ts';
import type { FieldRule, ResourceContext } from './types.ts';

/** TargetHealthCheck is the part of the target group health check the reconciler manages. */
export type TargetHealthCheck = {
  path: string;
  /** HTTP codes meaning healthy: `200`, `200,204` or `200-299`. */
  matcher: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
};

/** TargetGroupProperties is the target group of one load-balanced service (IP or instance targets). */
export type TargetGroupProperties = {
  name: string;
  protocol: 'HTTP';
  port: number;
  /** ip: awsvpc tasks by their own address; instance: bridge tasks as instance and host port. */
  targetType: 'ip' | 'instance';
  vpcId: string;
  healthCheck: TargetHealthCheck;
  deregistrationDelaySeconds: number;
};

/**
 * TARGET_GROUP_FIELDS: what AWS fixes at creation forces replacement; the health check and the
 * deregistration delay change in place. Every other attribute (stickiness, slow start, load
 * balancing algorithm, ...) is an AWS default the reconciler neither reads nor writes.
 */
export const TARGET_GROUP_FIELDS: Record<string, FieldRule> = {
  name: 'replace',
  protocol: 'replace',
  port: 'replace',
  targetType: 'replace',
  vpcId: 'replace',
  healthCheck: 'update',
  deregistrationDelaySeconds: 'update',
};

/** DEREGISTRATION_DELAY_ATTRIBUTE is the target group attribute holding the deregistration delay. */
export const DEREGISTRATION_DELAY_ATTRIBUTE = 'deregistration_delay.timeout_seconds';

/** observedTargetGroupProperties normalizes DescribeTargetGroups plus its attributes to the desired shape. */
export function observedTargetGroupProperties(
  group: TargetGroup,
  attributes: readonly TargetGroupAttribute[],
): TargetGroupProperties {
  const delay = attributes.find((attribute) => attribute.Key === DEREGISTRATION_DELAY_ATTRIBUTE);
  return {
    name: group.TargetGroupName ?? '',
    protocol: (group.Protocol ?? 'HTTP') as 'HTTP',
    port: group.Port ?? 0,
    targetType: (group.TargetType ?? 'ip') as 'ip' | 'instance',
    vpcId: group.VpcId ?? '',
    healthCheck: {
      path: group.HealthCheckPath ?? '/',
      matcher: group.Matcher?.HttpCode ?? '200',
      intervalSeconds: group.HealthCheckIntervalSeconds ?? 30,
      timeoutSeconds: group.HealthCheckTimeoutSeconds ?? 5,
      healthyThreshold: group.HealthyThresholdCount ?? 5,
      unhealthyThreshold: group.UnhealthyThresholdCount ?? 2,
    },
    deregistrationDelaySeconds: Number(delay?.Value ?? 300),
  };
}

/** LiveTargetGroup is one target group with its tags and its attributes. */
type LiveTargetGroup = Tagged<TargetGroup> & { attributes: TargetGroupAttribute[] };

const NOT_FOUND = ['TargetGroupNotFound', 'TargetGroupNotFoundException'];

/** targetGroupHandler manages the IP target groups of load-balanced services, identified by ARN. */
export const targetGroupHandler = defineKind<TargetGroupProperties, LiveTargetGroup>({
  kind: 'target-group',
  fields: TARGET_GROUP_FIELDS,
  after: ['vpc'],
  tagging: elbv2Tagging,
  notFound: NOT_FOUND,
  alreadyExists: ['DuplicateTargetGroupName'],
  iamActions: {
    read: [...TARGET_GROUP_READS, 'elasticloadbalancing:DescribeTargetGroupAttributes'],
    write: [
      'elasticloadbalancing:CreateTargetGroup',
      'elasticloadbalancing:ModifyTargetGroup',
      'elasticloadbalancing:ModifyTargetGroupAttributes',
      'elasticloadbalancing:DeleteTargetGroup',
    ],
    scope: {
      arn: 'arn:aws:elasticloadbalancing:*:{account}:targetgroup/*',
      create: ['elasticloadbalancing:CreateTargetGroup'],
    },
  },

  /** Every target group with its tags, then one attribute read per one of ours. */
  list: async (ctx) =>
    readEach(inStacks(ctx, await taggedTargetGroups(ctx)), NOT_FOUND, (entry) =>
      withAttributes(ctx, entry),
    ),

  toObserved,

  /** ELBv2 may answer a create with an existing target group of the same settings: confirm it is ours. */
  async create(ctx, desired) {
    const properties = desired.properties;
    const created = await ctx.clients.elbv2.send(
      new CreateTargetGroupCommand({
        Name: properties.name,
        Protocol: properties.protocol,
        Port: properties.port,
        TargetType: properties.targetType,
        VpcId: properties.vpcId,
        ...healthCheckInput(properties.healthCheck),
        Tags: tagMapToList(desired.tags),
      }),
    );
    const arn = created.TargetGroups?.[0]?.TargetGroupArn;
    if (!arn) throw new Error('CreateTargetGroup returned no target group');
    await confirmOwned(ctx, arn, desired);
    await setDeregistrationDelay(ctx, arn, properties.deregistrationDelaySeconds);
    return {
      id: arn,
      properties: { ...properties },
      tags: { ...desired.tags },
      attributes: { arn, name: properties.name, metricDimension: targetGroupDimension(arn) },
    };
  },

  updaters: {
    async healthCheck(ctx, desired, observed) {
      await ctx.clients.elbv2.send(
        new ModifyTargetGroupCommand({
          TargetGroupArn: observed.id,
          ...healthCheckInput(desired.properties.healthCheck),
        }),
      );
    },
    deregistrationDelaySeconds: (ctx, desired, observed) =>
      setDeregistrationDelay(ctx, observed.id, desired.properties.deregistrationDelaySeconds),
  },

  /** Deletes the target group (after its listeners: ResourceInUse otherwise). */
  async destroy(ctx, observed) {
    await ctx.clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: observed.id }));
  },

  /** Names are unique per region: a target group holding a desired name, whatever its tags. */
  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await taggedTargetGroups(ctx),
      nameOf: (entry) => entry.resource.TargetGroupName,
      notFound: NOT_FOUND,
      read: (entry) => withAttributes(ctx, entry),
      toObserved,
    }),
});

/** targetGroupDimension is the `TargetGroup` metric dimension: the ARN from `targetgroup/` on. */
export function targetGroupDimension(arn: string): string {
  return arn.replace(/^.*?:(?=targetgroup\/)/, '');
}

function toObserved(live: LiveTargetGroup): Live<TargetGroupProperties> {
  const properties = observedTargetGroupProperties(live.resource, live.attributes);
  return {
    id: live.arn,
    properties,
    tags: live.tags,
    attributes: {
      arn: live.arn,
      name: properties.name,
      metricDimension: targetGroupDimension(live.arn),
    },
  };
}

async function withAttributes(
  ctx: ResourceContext,
  entry: Tagged<TargetGroup>,
): Promise<LiveTargetGroup> {
  const described = await ctx.clients.elbv2.send(
    new DescribeTargetGroupAttributesCommand({ TargetGroupArn: entry.arn }),
  );
  return { ...entry, attributes: described.Attributes ?? [] };
}

function healthCheckInput(check: TargetHealthCheck) {
  return {
    HealthCheckProtocol: 'HTTP' as const,
    HealthCheckPath: check.path,
    Matcher: { HttpCode: check.matcher },
    HealthCheckIntervalSeconds: check.intervalSeconds,
    HealthCheckTimeoutSeconds: check.timeoutSeconds,
    HealthyThresholdCount: check.healthyThreshold,
    UnhealthyThresholdCount: check.unhealthyThreshold,
  };
}

async function setDeregistrationDelay(
  ctx: ResourceContext,
  arn: string,
  seconds: number,
): Promise<void> {
  await ctx.clients.elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: [{ Key: DEREGISTRATION_DELAY_ATTRIBUTE, Value: String(seconds) }],
    }),
  );
}
