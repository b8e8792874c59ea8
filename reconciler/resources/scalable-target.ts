import {
  DeleteScheduledActionCommand,
  DeregisterScalableTargetCommand,
  PutScheduledActionCommand,
  paginateDescribeScheduledActions,
  RegisterScalableTargetCommand,
  type ScheduledAction,
} from '@aws-sdk/client-application-auto-scaling';
import { defineKind } from './kit/define-kind.ts';
import { sortedValues } from './kit/json.ts';
import { keyedDelta } from './kit/keyed-delta.ts';
import { collect } from './kit/paginate.ts';
import {
  ECS_DESIRED_COUNT,
  ECS_NAMESPACE,
  readScalableTargets,
  type TaggedTarget,
} from './kit/scalable-targets.ts';
import { applicationAutoScalingTagging } from './kit/tagging/application-auto-scaling.ts';
import type { FieldRule, ResourceContext } from './types.ts';

/** ScalingSchedule is one scheduled action: from `schedule` on, the target's bounds are these. */
export interface ScalingSchedule {
  name: string;
  /** at(...), rate(...) or cron(...). */
  schedule: string;
  timezone: string;
  minCapacity: number;
  maxCapacity: number;
}

/**
 * ScalableTargetProperties: the desired count of one ECS service (`service/<cluster>/<service>`)
 * scaled between minCapacity and maxCapacity, with its scheduled actions.
 */
export interface ScalableTargetProperties extends Record<string, unknown> {
  resourceId: string;
  minCapacity: number;
  maxCapacity: number;
  scheduledActions: ScalingSchedule[];
}

/**
 * SCALABLE_TARGET_FIELDS: the resource id is the target's identity; RegisterScalableTarget on an
 * existing target changes its bounds, PutScheduledAction and DeleteScheduledAction its schedule.
 */
export const SCALABLE_TARGET_FIELDS: Record<keyof ScalableTargetProperties, FieldRule> = {
  resourceId: 'replace',
  minCapacity: 'update',
  maxCapacity: 'update',
  scheduledActions: 'update',
};

/** LiveTarget is a scalable target of ours with its scheduled actions. */
type LiveTarget = TaggedTarget & { scheduled: ScheduledAction[] };

/** toSchedule maps a described scheduled action to the desired shape. */
export function toSchedule(action: ScheduledAction): ScalingSchedule {
  return {
    name: action.ScheduledActionName ?? '',
    schedule: action.Schedule ?? '',
    timezone: action.Timezone ?? 'UTC',
    minCapacity: action.ScalableTargetAction?.MinCapacity as number,
    maxCapacity: action.ScalableTargetAction?.MaxCapacity as number,
  };
}

/**
 * scalableTargetHandler registers ECS services with Application Auto Scaling. Scheduled actions
 * are part of the target, not a kind of their own: AWS deletes them with the target and they
 * have no tags, so the target's one schedule list is diffed and converged as a keyed set.
 */
export const scalableTargetHandler = defineKind<ScalableTargetProperties, LiveTarget>({
  kind: 'scalable-target',
  fields: SCALABLE_TARGET_FIELDS,
  after: ['ecs-service'],
  tagging: applicationAutoScalingTagging,
  tagTarget: (resource) => resource.attributes.arn ?? resource.id,
  notFound: ['ObjectNotFoundException'],
  iamActions: {
    read: [
      'application-autoscaling:DescribeScalableTargets',
      'application-autoscaling:DescribeScheduledActions',
      'application-autoscaling:ListTagsForResource',
      'ecs:DescribeClusters',
      // Application Auto Scaling reads and scales the service in the caller's name
      'ecs:DescribeServices',
    ],
    write: [
      'application-autoscaling:RegisterScalableTarget',
      'application-autoscaling:DeregisterScalableTarget',
      'application-autoscaling:PutScheduledAction',
      'application-autoscaling:DeleteScheduledAction',
      // the service-linked role on first use
      'iam:CreateServiceLinkedRole',
      'ecs:UpdateService',
    ],
    scope: {
      arn: 'arn:aws:application-autoscaling:*:{account}:scalable-target/*',
      create: ['application-autoscaling:RegisterScalableTarget'],
    },
  },

  async list(ctx) {
    const owned = (await readScalableTargets(ctx)).filter((entry) => entry.owner);
    if (owned.length === 0) return [];
    const actions = await scheduledActions(ctx);
    return owned.map((entry) => ({
      ...entry,
      scheduled: actions.filter((action) => action.ResourceId === entry.target.ResourceId),
    }));
  },

  toObserved: ({ target, tags, scheduled }) => {
    const resourceId = target.ResourceId ?? '';
    return {
      id: resourceId,
      properties: {
        resourceId,
        minCapacity: target.MinCapacity ?? 0,
        maxCapacity: target.MaxCapacity ?? 0,
        scheduledActions: scheduled.map(toSchedule),
      },
      tags,
      attributes: { arn: target.ScalableTargetARN ?? '', resourceId },
    };
  },

  normalize: (properties) => ({
    ...properties,
    scheduledActions: sortedValues(properties.scheduledActions),
  }),

  /** RegisterScalableTarget tags only at creation; the schedule follows as an update. */
  updateAfterCreate: true,
  async create(ctx, desired) {
    const { resourceId, minCapacity, maxCapacity } = desired.properties;
    const registered = await ctx.clients.applicationAutoScaling.send(
      new RegisterScalableTargetCommand({
        ...targetKey(resourceId),
        MinCapacity: minCapacity,
        MaxCapacity: maxCapacity,
        Tags: desired.tags,
      }),
    );
    const arn = registered.ScalableTargetARN ?? '';
    return {
      id: resourceId,
      properties: { ...desired.properties, scheduledActions: [] },
      attributes: { arn, resourceId },
    };
  },

  async update(ctx, desired, observed, fields) {
    const wanted = desired.properties;
    const client = ctx.clients.applicationAutoScaling;
    if (fields.has('minCapacity') || fields.has('maxCapacity')) {
      await client.send(
        new RegisterScalableTargetCommand({
          ...targetKey(observed.id),
          MinCapacity: wanted.minCapacity,
          MaxCapacity: wanted.maxCapacity,
        }),
      );
    }
    if (!fields.has('scheduledActions')) return;
    const delta = keyedDelta(wanted.scheduledActions, observed.properties.scheduledActions, {
      key: (action) => action.name,
    });
    for (const action of delta.remove) {
      await client.send(
        new DeleteScheduledActionCommand({
          ...targetKey(observed.id),
          ScheduledActionName: action.name,
        }),
      );
    }
    for (const action of [...delta.add, ...delta.change.map((entry) => entry.desired)]) {
      await client.send(
        new PutScheduledActionCommand({
          ...targetKey(observed.id),
          ScheduledActionName: action.name,
          Schedule: action.schedule,
          Timezone: action.timezone,
          ScalableTargetAction: {
            MinCapacity: action.minCapacity,
            MaxCapacity: action.maxCapacity,
          },
        }),
      );
    }
  },

  /** AWS deletes the target's policies and scheduled actions with it. */
  async destroy(ctx, observed) {
    await ctx.clients.applicationAutoScaling.send(
      new DeregisterScalableTargetCommand(targetKey(observed.id)),
    );
  },
});

/** targetKey names an ECS service's scalable target in every Application Auto Scaling call. */
export function targetKey(resourceId: string) {
  return {
    ServiceNamespace: ECS_NAMESPACE,
    ResourceId: resourceId,
    ScalableDimension: ECS_DESIRED_COUNT,
  } as const;
}

/**
 * scheduledActions is every scheduled action of the ecs namespace's service counts: one
 * paginated DescribeScheduledActions (50 a page; a dimension filter would need a ResourceId).
 */
async function scheduledActions(ctx: ResourceContext): Promise<ScheduledAction[]> {
  const actions = await collect(
    paginateDescribeScheduledActions(
      { client: ctx.clients.applicationAutoScaling },
      { ServiceNamespace: ECS_NAMESPACE },
    ),
    (page) => page.ScheduledActions,
  );
  return actions.filter((action) => action.ScalableDimension === ECS_DESIRED_COUNT);
}
