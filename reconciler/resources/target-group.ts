import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  type TargetGroup,
  type TargetGroupAttribute,
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
  ownedArns,
  PER_RESOURCE_READS,
  removeElbv2Resource,
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
  Tags,
} from './types.ts';

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

/** TargetGroupProperties is an IP target group of one load-balanced service. */
export type TargetGroupProperties = {
  name: string;
  protocol: 'HTTP';
  port: number;
  targetType: 'ip';
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
    targetType: (group.TargetType ?? 'ip') as 'ip',
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

function toObserved(
  arn: string,
  properties: TargetGroupProperties,
  owner: { stack: string; address: string },
  tags: Tags,
): ObservedResource<TargetGroupProperties> {
  return {
    address: owner.address,
    kind: 'target-group',
    stack: owner.stack,
    id: arn,
    properties,
    tags,
    status: 'ready',
    attributes: { id: arn, arn, name: properties.name },
  };
}

async function describeAllTargetGroups(ctx: ResourceContext): Promise<TargetGroup[]> {
  const groups: TargetGroup[] = [];
  let marker: string | undefined;
  do {
    const page = await ctx.clients.elbv2.send(
      new DescribeTargetGroupsCommand({
        PageSize: ELBV2_PAGE_SIZE,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    groups.push(...(page.TargetGroups ?? []));
    marker = page.NextMarker;
  } while (marker);
  return groups;
}

async function observeAll(
  ctx: ResourceContext,
): Promise<ObservedResource<TargetGroupProperties>[]> {
  if (ctx.stacks.length === 0) return [];
  const groups = await describeAllTargetGroups(ctx);
  const byArn = new Map(groups.map((group) => [group.TargetGroupArn ?? '', group]));
  const arns = [...byArn.keys()].filter(Boolean);
  const owned = ownedArns(arns, await describeElbv2Tags(ctx, arns), ctx.stacks);
  const observed = await mapBounded(owned, PER_RESOURCE_READS, async (group) => {
    let attributes: TargetGroupAttribute[];
    try {
      const described = await ctx.clients.elbv2.send(
        new DescribeTargetGroupAttributesCommand({ TargetGroupArn: group.arn }),
      );
      attributes = described.Attributes ?? [];
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const properties = observedTargetGroupProperties(byArn.get(group.arn)!, attributes);
    return toObserved(group.arn, properties, group, group.tags);
  });
  return observed.filter((resource) => resource !== undefined);
}

function diff(
  desired: TargetGroupProperties,
  observed: TargetGroupProperties,
  desiredTags: Tags,
  observedTags: Tags,
): FieldChange[] {
  return [
    ...diffProperties(desired, observed, TARGET_GROUP_FIELDS),
    ...diffTags(desiredTags, observedTags),
  ];
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

async function create(
  ctx: ResourceContext,
  desired: DesiredResource<TargetGroupProperties>,
): Promise<ObservedResource<TargetGroupProperties>> {
  const properties = desired.properties;
  try {
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
    await confirmCreated(ctx, arn, desired);
    await setDeregistrationDelay(ctx, arn, properties.deregistrationDelaySeconds);
    return toObserved(arn, properties, desired, desired.tags);
  } catch (err) {
    throw wrapError(`cannot create target group ${properties.name} (${desired.address})`, err);
  }
}

async function update(
  ctx: ResourceContext,
  desired: DesiredResource<TargetGroupProperties>,
  observed: ObservedResource<TargetGroupProperties>,
  changes: FieldChange[],
): Promise<ObservedResource<TargetGroupProperties>> {
  const arn = observed.id;
  const want = desired.properties;
  const fields = changedFields(changes);
  const properties: TargetGroupProperties = { ...observed.properties };
  try {
    if (fields.has('healthCheck')) {
      await ctx.clients.elbv2.send(
        new ModifyTargetGroupCommand({
          TargetGroupArn: arn,
          ...healthCheckInput(want.healthCheck),
        }),
      );
      properties.healthCheck = want.healthCheck;
    }
    if (fields.has('deregistrationDelaySeconds')) {
      await setDeregistrationDelay(ctx, arn, want.deregistrationDelaySeconds);
      properties.deregistrationDelaySeconds = want.deregistrationDelaySeconds;
    }
    let tags = observed.tags;
    if (hasTagChanges(changes)) {
      await writeElbv2Tags(ctx, arn, desired.tags, observed.tags);
      tags = tagsAfterUpdate(desired.tags, observed.tags);
    }
    return { ...observed, properties, tags };
  } catch (err) {
    throw wrapError(
      `cannot update target group ${observed.attributes.name} (${observed.address})`,
      err,
    );
  }
}

/** remove deletes the target group (after its listeners: ResourceInUse otherwise); retain only untags. */
async function remove(
  ctx: ResourceContext,
  observed: ObservedResource<TargetGroupProperties>,
  options: DeleteOptions,
): Promise<void> {
  await removeElbv2Resource(ctx, observed, options, 'target group', () =>
    ctx.clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: observed.id })),
  );
}

/** targetGroupHandler manages the IP target groups of load-balanced services, identified by ARN. */
export const targetGroupHandler: ResourceHandler<TargetGroupProperties> = {
  kind: 'target-group',
  fields: TARGET_GROUP_FIELDS,
  observeAll,
  diff,
  create,
  update,
  delete: remove,
};
