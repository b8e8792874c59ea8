import {
  type Cluster,
  CreateClusterCommand,
  DeleteClusterCommand,
  UpdateClusterSettingsCommand,
} from '@aws-sdk/client-ecs';
import { tagListToMap } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { clusterServices, readClusters } from './kit/ecs-clusters.ts';
import { failure } from './kit/errors.ts';
import { pick } from './kit/outputs.ts';
import { ecsTagging, ecsTagList } from './kit/tagging/ecs.ts';
import type { FieldRule } from './types.ts';

/** EcsClusterProperties: the cluster name (the stack name) and its Container Insights setting. */
export interface EcsClusterProperties extends Record<string, unknown> {
  name: string;
  /** `enabled` by default for every stack (the spec has no switch); `disabled` or `enhanced` as AWS reports them. */
  containerInsights: string;
}

/**
 * ECS_CLUSTER_FIELDS: the name is the identity of a cluster (replace); Container Insights is a
 * cluster setting updated in place (UpdateClusterSettings).
 */
export const ECS_CLUSTER_FIELDS: Record<keyof EcsClusterProperties, FieldRule> = {
  name: 'replace',
  containerInsights: 'update',
};

/** observedCluster maps a described cluster; Container Insights is `disabled` when AWS reports no setting. */
export function observedCluster(cluster: Cluster): Live<EcsClusterProperties> {
  const arn = cluster.clusterArn ?? '';
  const insights = cluster.settings?.find((setting) => setting.name === 'containerInsights');
  return {
    id: arn,
    properties: {
      name: cluster.clusterName ?? '',
      containerInsights: insights?.value ?? 'disabled',
    },
    tags: tagListToMap(cluster.tags),
    status: cluster.status === 'PROVISIONING' ? 'pending' : 'ready',
    attributes: { id: arn, arn, name: cluster.clusterName ?? '' },
  };
}

/**
 * ecsClusterHandler manages the stack's ECS cluster (`ecs-cluster.main`, named after the stack).
 * Its read is the pass's one cluster read, shared with ecs-service.
 */
export const ecsClusterHandler = defineKind<EcsClusterProperties, Cluster>({
  kind: 'ecs-cluster',
  outputs: (cluster) => pick(cluster.attributes, ['name']),
  fields: ECS_CLUSTER_FIELDS,
  after: [],
  tagging: ecsTagging,
  notFound: ['ClusterNotFoundException'],
  iamActions: {
    read: ['ecs:DescribeClusters', 'ecs:ListServices', 'ecs:DescribeServices'],
    write: ['ecs:CreateCluster', 'ecs:UpdateClusterSettings', 'ecs:DeleteCluster'],
    scope: {
      arn: 'arn:aws:ecs:*:{account}:cluster/*',
      create: ['ecs:CreateCluster'],
    },
  },

  list: readClusters,
  toObserved: observedCluster,

  async create(ctx, desired) {
    const { name, containerInsights } = desired.properties;
    const settings = [{ name: 'containerInsights' as const, value: containerInsights }];
    const created = await ctx.clients.ecs.send(
      new CreateClusterCommand({ clusterName: name, tags: ecsTagList(desired.tags), settings }),
    );
    const cluster = created.cluster ?? {};
    const live = observedCluster({
      ...cluster,
      clusterName: cluster.clusterName ?? name,
      settings: cluster.settings ?? settings,
      status: cluster.status ?? 'ACTIVE',
    });
    return { ...live, tags: { ...desired.tags } };
  },

  updaters: {
    containerInsights: async (ctx, desired, observed) => {
      await ctx.clients.ecs.send(
        new UpdateClusterSettingsCommand({
          cluster: observed.id,
          settings: [{ name: 'containerInsights', value: desired.properties.containerInsights }],
        }),
      );
    },
  },

  /** A cluster that still holds services is not deleted: they go first (reverse creation order). */
  async destroy(ctx, observed) {
    const remaining = (await clusterServices(ctx, observed.id)).length;
    if (remaining > 0) {
      throw failure(`cannot delete ${observed.address}: ${remaining} services remain in it`, {
        kind: 'ecs-cluster',
        address: observed.address,
        operation: 'delete',
        disposition: 'retryable',
      });
    }
    await ctx.clients.ecs.send(new DeleteClusterCommand({ cluster: observed.id }));
  },
});
