import {
  type AutoScalingGroup,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  paginateDescribeAutoScalingGroups,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { TAG_STACK, type Tags, tagListToMap } from '../aws/tags.ts';
import { defineKind, type Live, type UpdateResult } from './kit/define-kind.ts';
import { failure } from './kit/errors.ts';
import { sortedValues } from './kit/json.ts';
import { foundByName } from './kit/names.ts';
import { collect } from './kit/paginate.ts';
import { resolved } from './kit/refs.ts';
import { autoscalingTagging, autoscalingTags } from './kit/tagging/autoscaling.ts';
import type { FieldRule, Ref, ResourceContext, StabilityVerdict } from './types.ts';

/** AutoScalingGroupProperties: an Auto Scaling group launched from one launch template version. */
export type AutoScalingGroupProperties = {
  name: string;
  launchTemplateId: string | Ref;
  /** The launch template version the group launches (a number, never `$Latest`). */
  launchTemplateVersion: string | Ref;
  minSize: number;
  maxSize: number;
  /** The size at creation; afterwards ECS managed scaling (or a person) owns it. */
  desiredCapacity: number;
  subnetIds: (string | Ref)[];
  /** New instances are protected from scale-in (ECS managed termination protection needs it). */
  protectFromScaleIn: boolean;
  /** How a new launch template version is rolled out (StartInstanceRefresh); not a group setting. */
  instanceRefresh: { minHealthyPercentage: number; instanceWarmupSeconds: number };
};

/**
 * AUTO_SCALING_GROUP_FIELDS: the name is the identity; the desired capacity is set at creation and
 * then belongs to the scaler, so scaling is never drift; a new launch template or version is
 * rolled out by an instance refresh, never by a new group; sizes, subnets and protection update
 * in place. The refresh preferences are not something AWS reports.
 */
export const AUTO_SCALING_GROUP_FIELDS: Record<keyof AutoScalingGroupProperties, FieldRule> = {
  name: 'replace',
  launchTemplateId: 'update',
  launchTemplateVersion: 'update',
  minSize: 'update',
  maxSize: 'update',
  desiredCapacity: 'create-only',
  subnetIds: 'update',
  protectFromScaleIn: 'update',
  instanceRefresh: 'ignore',
};

/** ECS_MANAGED_TAG is the tag ECS puts on a group its capacity provider scales: ECS's, never removed. */
const ECS_MANAGED_TAG = 'AmazonECSManaged';

/** REFRESH_RUNNING are the states of an instance refresh that is not over. */
const REFRESH_RUNNING = new Set(['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress']);

const LAUNCH_FIELDS = ['launchTemplateId', 'launchTemplateVersion'];

/** observedGroup maps a described group; its launch template may also sit in a mixed instances policy. */
export function observedGroup(group: AutoScalingGroup): Live<AutoScalingGroupProperties> {
  const template =
    group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  const tags: Tags = tagListToMap(group.Tags);
  delete tags[ECS_MANAGED_TAG];
  const name = group.AutoScalingGroupName ?? '';
  return {
    id: name,
    properties: {
      name,
      launchTemplateId: template?.LaunchTemplateId ?? '',
      launchTemplateVersion: template?.Version ?? '',
      minSize: group.MinSize ?? 0,
      maxSize: group.MaxSize ?? 0,
      desiredCapacity: group.DesiredCapacity ?? 0,
      subnetIds: (group.VPCZoneIdentifier ?? '').split(',').filter((id) => id !== ''),
      protectFromScaleIn: group.NewInstancesProtectedFromScaleIn ?? false,
      instanceRefresh: { minHealthyPercentage: 0, instanceWarmupSeconds: 0 },
    },
    tags,
    status: group.Status === 'Delete in progress' ? 'deleting' : 'ready',
    attributes: { arn: group.AutoScalingGroupARN ?? '', name },
    live: group,
  };
}

async function describeGroup(ctx: ResourceContext, name: string) {
  const described = await ctx.clients.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  return described.AutoScalingGroups?.[0];
}

/**
 * refresh rolls the desired launch template version out: an instance refresh whose desired
 * configuration the group takes on when it succeeds, skipping instances that match already.
 * While a refresh to that configuration runs, the group is pending; a refresh to another one is
 * left to finish first (a retryable failure), never cancelled.
 */
async function refresh(
  ctx: ResourceContext,
  address: string,
  properties: AutoScalingGroupProperties,
): Promise<UpdateResult<AutoScalingGroupProperties>> {
  const name = properties.name;
  const LaunchTemplate = {
    LaunchTemplateId: resolved(properties.launchTemplateId, 'launchTemplateId'),
    Version: resolved(properties.launchTemplateVersion, 'launchTemplateVersion'),
  };
  const listed = await ctx.clients.autoscaling.send(
    new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: name, MaxRecords: 10 }),
  );
  const running = listed.InstanceRefreshes?.find((r) => REFRESH_RUNNING.has(r.Status ?? ''));
  if (running) {
    const target = running.DesiredConfiguration?.LaunchTemplate;
    if (
      target?.LaunchTemplateId === LaunchTemplate.LaunchTemplateId &&
      target?.Version === LaunchTemplate.Version
    ) {
      return { status: 'pending' };
    }
    throw failure(
      `cannot roll out launch template version ${LaunchTemplate.Version} to ${address}: instance refresh ${running.InstanceRefreshId} is ${running.Status}`,
      { kind: 'auto-scaling-group', address, operation: 'update', disposition: 'retryable' },
    );
  }
  const started = await ctx.clients.autoscaling.send(
    new StartInstanceRefreshCommand({
      AutoScalingGroupName: name,
      Strategy: 'Rolling',
      DesiredConfiguration: { LaunchTemplate },
      Preferences: {
        MinHealthyPercentage: properties.instanceRefresh.minHealthyPercentage,
        InstanceWarmup: properties.instanceRefresh.instanceWarmupSeconds,
        SkipMatching: true,
      },
    }),
  );
  const now = await ctx.clients.autoscaling.send(
    new DescribeInstanceRefreshesCommand({
      AutoScalingGroupName: name,
      InstanceRefreshIds: [started.InstanceRefreshId ?? ''],
    }),
  );
  const state = now.InstanceRefreshes?.[0]?.Status ?? 'Pending';
  return REFRESH_RUNNING.has(state) ? { status: 'pending' } : {};
}

/**
 * autoScalingGroupHandler manages the Auto Scaling groups of the stacks' EC2 capacity: one
 * tag-filtered, paginated DescribeAutoScalingGroups per observe. Its tags propagate to the
 * instances. Deleting scales it to 0 and force-deletes it; AWS then terminates the instances, and
 * the group, seen as `Delete in progress`, is deleting: never waited on.
 */
export const autoScalingGroupHandler = defineKind<AutoScalingGroupProperties, AutoScalingGroup>({
  kind: 'auto-scaling-group',
  fields: AUTO_SCALING_GROUP_FIELDS,
  after: ['launch-template', 'subnet', 'ecs-cluster'],
  tagging: autoscalingTagging,
  iamActions: {
    read: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeInstanceRefreshes'],
    write: [
      'autoscaling:CreateAutoScalingGroup',
      'autoscaling:UpdateAutoScalingGroup',
      'autoscaling:StartInstanceRefresh',
      'autoscaling:DeleteAutoScalingGroup',
      // the group launches instances with the launch template's instance profile
      'iam:PassRole',
    ],
    scope: {
      arn: 'arn:aws:autoscaling:*:{account}:autoScalingGroup:*:autoScalingGroupName/{stack}-*',
      create: ['autoscaling:CreateAutoScalingGroup'],
    },
  },

  list: (ctx) =>
    collect(
      paginateDescribeAutoScalingGroups(
        { client: ctx.clients.autoscaling },
        { Filters: [{ Name: `tag:${TAG_STACK}`, Values: [...ctx.stacks] }] },
      ),
      (page) => page.AutoScalingGroups,
    ),

  toObserved: observedGroup,

  /** Group names are unique in the region: one DescribeAutoScalingGroups for the wanted names. */
  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await collect(
        paginateDescribeAutoScalingGroups(
          { client: ctx.clients.autoscaling },
          { AutoScalingGroupNames: desired.map((resource) => resource.properties.name) },
        ),
        (page) => page.AutoScalingGroups,
      ),
      nameOf: (group) => group.AutoScalingGroupName,
      toObserved: observedGroup,
    }),
  alreadyExists: ['AlreadyExists', 'AlreadyExistsFault'],

  normalize: (properties) => ({ ...properties, subnetIds: sortedValues(properties.subnetIds) }),

  async create(ctx, desired) {
    const properties = desired.properties;
    await ctx.clients.autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: properties.name,
        LaunchTemplate: {
          LaunchTemplateId: resolved(properties.launchTemplateId, 'launchTemplateId'),
          Version: resolved(properties.launchTemplateVersion, 'launchTemplateVersion'),
        },
        MinSize: properties.minSize,
        MaxSize: properties.maxSize,
        DesiredCapacity: properties.desiredCapacity,
        VPCZoneIdentifier: properties.subnetIds.map((id) => resolved(id, 'subnet')).join(','),
        NewInstancesProtectedFromScaleIn: properties.protectFromScaleIn,
        Tags: autoscalingTags(properties.name, desired.tags),
      }),
    );
    const group = await describeGroup(ctx, properties.name);
    if (!group) throw new Error(`CreateAutoScalingGroup made no group ${properties.name}`);
    return { ...observedGroup(group), tags: { ...desired.tags } };
  },

  /** Sizes, subnets and protection in one UpdateAutoScalingGroup; a new launch template by refresh. */
  async update(ctx, desired, observed, fields) {
    const want = desired.properties;
    if (['minSize', 'maxSize', 'subnetIds', 'protectFromScaleIn'].some((f) => fields.has(f))) {
      await ctx.clients.autoscaling.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: observed.id,
          ...(fields.has('minSize') ? { MinSize: want.minSize } : {}),
          ...(fields.has('maxSize') ? { MaxSize: want.maxSize } : {}),
          ...(fields.has('subnetIds')
            ? { VPCZoneIdentifier: want.subnetIds.map((id) => resolved(id, 'subnet')).join(',') }
            : {}),
          ...(fields.has('protectFromScaleIn')
            ? { NewInstancesProtectedFromScaleIn: want.protectFromScaleIn }
            : {}),
        }),
      );
    }
    if (LAUNCH_FIELDS.some((field) => fields.has(field))) {
      return refresh(ctx, observed.address, want);
    }
    return undefined;
  },

  /** Scales to 0, then deletes with ForceDelete: AWS terminates the instances, protected ones too. */
  async destroy(ctx, observed) {
    const group = await describeGroup(ctx, observed.id);
    if (!group || group.Status === 'Delete in progress') return;
    await ctx.clients.autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: observed.id,
        MinSize: 0,
        MaxSize: 0,
        DesiredCapacity: 0,
      }),
    );
    await ctx.clients.autoscaling.send(
      new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: observed.id, ForceDelete: true }),
    );
  },

  /** Stable once as many instances are in service as the group wants. */
  async stability(_ctx, observed) {
    return observed.map((resource): StabilityVerdict => {
      const at = { stack: resource.stack, address: resource.address };
      const group = (resource.live ?? {}) as AutoScalingGroup;
      const inService = (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService');
      const wanted = group.DesiredCapacity ?? 0;
      if (resource.status === 'deleting') return { ...at, state: 'stable' };
      if (inService.length >= wanted) return { ...at, state: 'stable' };
      return {
        ...at,
        state: 'waiting',
        detail: `${inService.length}/${wanted} instances in service`,
      };
    });
  },
});
