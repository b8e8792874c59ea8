import {
  type CapacityProvider,
  type CapacityProviderStrategyItem,
  type Cluster,
  CreateCapacityProviderCommand,
  DeleteCapacityProviderCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  PutClusterCapacityProvidersCommand,
  UpdateCapacityProviderCommand,
} from '@aws-sdk/client-ecs';
import { tagListToMap } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { readClusters } from './kit/ecs-clusters.ts';
import { foundByName } from './kit/names.ts';
import { resolved } from './kit/refs.ts';
import { ecsTagging, ecsTagList } from './kit/tagging/ecs.ts';
import type { FieldRule, Ref, ResourceContext } from './types.ts';

/** ManagedScaling: ECS sets the group's desired capacity so that the tasks use targetCapacity percent of it. */
export type ManagedScaling = {
  status: string;
  targetCapacity: number;
  minimumScalingStepSize: number;
  maximumScalingStepSize: number;
  instanceWarmupPeriod: number;
};

/** CapacityProviderProperties: an ECS capacity provider on an Auto Scaling group, and its place in a cluster. */
export type CapacityProviderProperties = {
  name: string;
  autoScalingGroupArn: string | Ref;
  managedScaling: ManagedScaling;
  /** ENABLED: ECS protects instances that run tasks from scale-in. */
  managedTerminationProtection: string;
  /** The cluster the provider is attached to ('' when none). */
  cluster: string | Ref;
  /** Its entry in that cluster's default capacity provider strategy (weight 0 and base 0 when absent). */
  defaultStrategy: { weight: number; base: number };
};

/**
 * CAPACITY_PROVIDER_FIELDS: the name and the group are fixed at creation (replace); scaling and
 * termination protection change with UpdateCapacityProvider; the attachment to the cluster and
 * the default strategy with PutClusterCapacityProviders.
 */
export const CAPACITY_PROVIDER_FIELDS: Record<keyof CapacityProviderProperties, FieldRule> = {
  name: 'replace',
  autoScalingGroupArn: 'replace',
  managedScaling: 'update',
  managedTerminationProtection: 'update',
  cluster: 'update',
  defaultStrategy: 'update',
};

type ProviderLive = { provider: CapacityProvider; cluster?: Cluster | undefined };

const STATUS: Record<string, Live<CapacityProviderProperties>['status']> = {
  DELETE_IN_PROGRESS: 'deleting',
  UPDATE_IN_PROGRESS: 'pending',
  DELETE_FAILED: 'failed',
};

function liveProvider({ provider, cluster }: ProviderLive): Live<CapacityProviderProperties> {
  const group = provider.autoScalingGroupProvider;
  const scaling = group?.managedScaling;
  const name = provider.name ?? '';
  const entry = cluster?.defaultCapacityProviderStrategy?.find((s) => s.capacityProvider === name);
  return {
    id: name,
    properties: {
      name,
      autoScalingGroupArn: group?.autoScalingGroupArn ?? '',
      managedScaling: {
        status: scaling?.status ?? 'DISABLED',
        targetCapacity: scaling?.targetCapacity ?? 100,
        minimumScalingStepSize: scaling?.minimumScalingStepSize ?? 1,
        maximumScalingStepSize: scaling?.maximumScalingStepSize ?? 10000,
        instanceWarmupPeriod: scaling?.instanceWarmupPeriod ?? 300,
      },
      managedTerminationProtection: group?.managedTerminationProtection ?? 'DISABLED',
      cluster: cluster?.clusterName ?? '',
      defaultStrategy: { weight: entry?.weight ?? 0, base: entry?.base ?? 0 },
    },
    tags: tagListToMap(provider.tags),
    status: STATUS[provider.updateStatus ?? ''] ?? 'ready',
    attributes: { arn: provider.capacityProviderArn ?? '', name },
  };
}

/** describeProviders is every capacity provider of the region with its tags, page by page. */
async function describeProviders(ctx: ResourceContext): Promise<CapacityProvider[]> {
  const providers: CapacityProvider[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.clients.ecs.send(
      new DescribeCapacityProvidersCommand({
        include: ['TAGS'],
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    providers.push(...(page.capacityProviders ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return providers;
}

/** listProviders is the region's live capacity providers, each with the cluster that lists it. */
async function listProviders(ctx: ResourceContext): Promise<ProviderLive[]> {
  const [providers, clusters] = await Promise.all([describeProviders(ctx), readClusters(ctx)]);
  return providers
    .filter((provider) => provider.status !== 'INACTIVE')
    .map((provider) => ({
      provider,
      cluster: clusters.find((c) => c.capacityProviders?.includes(provider.name ?? '')),
    }));
}

/**
 * setAttachment puts the provider in a cluster's list and default strategy (`strategy`), or
 * takes it out of both (no strategy), keeping the cluster's other providers as they are.
 */
async function setAttachment(
  ctx: ResourceContext,
  cluster: string,
  provider: string,
  strategy?: { weight: number; base: number },
): Promise<void> {
  const described = await ctx.clients.ecs.send(
    new DescribeClustersCommand({ clusters: [cluster] }),
  );
  const current = described.clusters?.[0];
  if (!current || current.status === 'INACTIVE') return;
  const others = (current.capacityProviders ?? []).filter((name) => name !== provider);
  const otherDefaults: CapacityProviderStrategyItem[] = (
    current.defaultCapacityProviderStrategy ?? []
  ).filter((item) => item.capacityProvider !== provider);
  await ctx.clients.ecs.send(
    new PutClusterCapacityProvidersCommand({
      cluster,
      capacityProviders: strategy ? [...others, provider] : others,
      defaultCapacityProviderStrategy: strategy
        ? [...otherDefaults, { capacityProvider: provider, ...strategy }]
        : otherDefaults,
    }),
  );
}

/**
 * capacityProviderHandler manages ECS capacity providers on Auto Scaling groups, and their
 * attachment to a cluster: the attachment is the provider's, because it can only be made once
 * the provider exists and must be undone before the provider is deleted, which only the
 * provider's own create and destroy order (cluster and group first, services after) guarantees.
 * Observe is one DescribeCapacityProviders of the region and the pass's one cluster read.
 */
export const capacityProviderHandler = defineKind<CapacityProviderProperties, ProviderLive>({
  kind: 'capacity-provider',
  fields: CAPACITY_PROVIDER_FIELDS,
  after: ['auto-scaling-group', 'ecs-cluster'],
  tagging: ecsTagging,
  tagTarget: (resource) => resource.attributes.arn ?? resource.id,
  notFound: ['ClusterNotFoundException'],
  // ECS has no code of its own for a taken name
  alreadyExists: [{ code: 'ClientException', message: /capacity provider already exists/i }],
  iamActions: {
    read: ['ecs:DescribeCapacityProviders', 'ecs:DescribeClusters'],
    write: [
      'ecs:CreateCapacityProvider',
      'ecs:UpdateCapacityProvider',
      'ecs:PutClusterCapacityProviders',
      'ecs:DeleteCapacityProvider',
    ],
    scope: {
      arn: 'arn:aws:ecs:*:{account}:capacity-provider/*',
      create: ['ecs:CreateCapacityProvider'],
    },
  },

  list: listProviders,

  toObserved: liveProvider,

  async create(ctx, desired) {
    const properties = desired.properties;
    const created = await ctx.clients.ecs.send(
      new CreateCapacityProviderCommand({
        name: properties.name,
        autoScalingGroupProvider: {
          autoScalingGroupArn: resolved(properties.autoScalingGroupArn, 'autoScalingGroupArn'),
          managedScaling: properties.managedScaling as ManagedScaling & { status: 'ENABLED' },
          managedTerminationProtection: properties.managedTerminationProtection as 'ENABLED',
        },
        tags: ecsTagList(desired.tags),
      }),
    );
    const cluster = resolved(properties.cluster, 'cluster');
    if (cluster) await setAttachment(ctx, cluster, properties.name, properties.defaultStrategy);
    return {
      id: properties.name,
      properties: { ...properties, cluster },
      tags: { ...desired.tags },
      attributes: {
        arn: created.capacityProvider?.capacityProviderArn ?? '',
        name: properties.name,
      },
    };
  },

  /** Scaling settings in one UpdateCapacityProvider; the attachment moves with PutClusterCapacityProviders. */
  async update(ctx, desired, observed, fields) {
    const want = desired.properties;
    if (fields.has('managedScaling') || fields.has('managedTerminationProtection')) {
      await ctx.clients.ecs.send(
        new UpdateCapacityProviderCommand({
          name: observed.id,
          autoScalingGroupProvider: {
            managedScaling: want.managedScaling as ManagedScaling & { status: 'ENABLED' },
            managedTerminationProtection: want.managedTerminationProtection as 'ENABLED',
          },
        }),
      );
    }
    if (fields.has('cluster') || fields.has('defaultStrategy')) {
      const from = resolved(observed.properties.cluster, 'cluster');
      const to = resolved(want.cluster, 'cluster');
      if (from && from !== to) await setAttachment(ctx, from, observed.id);
      if (to) await setAttachment(ctx, to, observed.id, want.defaultStrategy);
    }
  },

  // names are unique per region: a create whose answer was lost, or a provider made by hand
  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await listProviders(ctx),
      nameOf: ({ provider }) => provider.name,
      toObserved: liveProvider,
    }),

  /** Detached from every cluster that lists it first: ECS refuses to delete a provider in use. */
  async destroy(ctx, observed) {
    // read now, not from the pass's memo: the attachment may have changed since the observe
    const { memo: _memo, ...now } = ctx;
    const clusters = await readClusters(now);
    for (const cluster of clusters) {
      if (cluster.capacityProviders?.includes(observed.id)) {
        await setAttachment(ctx, cluster.clusterName ?? '', observed.id);
      }
    }
    await ctx.clients.ecs.send(
      new DeleteCapacityProviderCommand({ capacityProvider: observed.id }),
    );
  },
});
