import {
  CreateClusterCommand,
  type CreateClusterCommandOutput,
  DeleteClusterCommand,
  DescribeServicesCommand,
  ListServicesCommand,
  UpdateClusterSettingsCommand,
} from '@aws-sdk/client-ecs';
import { errorCode, isNotFound } from '../aws/errors.ts';
import { diffProperties, diffTags } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import {
  changedFields,
  chunk,
  ecsTagList,
  hasTagChanges,
  type OwnedCluster,
  observeOwnedClusters,
  paginate,
  removeEcsManagementTags,
  syncEcsTags,
} from './ecs-common.ts';
import type {
  DeleteOptions,
  DesiredResource,
  FieldRule,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
  Tags,
} from './types.ts';

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

/** observedCluster turns an owned cluster description into the handler's observed shape. */
export function observedCluster(owned: OwnedCluster): ObservedResource<EcsClusterProperties> {
  const { cluster } = owned;
  const insights = cluster.settings?.find((setting) => setting.name === 'containerInsights');
  return {
    address: owned.address,
    kind: 'ecs-cluster',
    stack: owned.stack,
    id: cluster.clusterArn ?? '',
    properties: {
      name: cluster.clusterName ?? '',
      containerInsights: insights?.value ?? 'disabled',
    },
    tags: owned.tags,
    status: cluster.status === 'PROVISIONING' ? 'pending' : 'ready',
    attributes: {
      id: cluster.clusterArn ?? '',
      arn: cluster.clusterArn ?? '',
      name: cluster.clusterName ?? '',
    },
  };
}

async function activeServiceCount(ctx: ResourceContext, clusterArn: string): Promise<number> {
  const serviceArns = await paginate(async (nextToken) => {
    const page = await ctx.clients.ecs.send(
      new ListServicesCommand({ cluster: clusterArn, nextToken }),
    );
    return { items: page.serviceArns, nextToken: page.nextToken };
  });
  let active = 0;
  for (const batch of chunk(serviceArns, 10)) {
    const described = await ctx.clients.ecs.send(
      new DescribeServicesCommand({ cluster: clusterArn, services: batch, include: ['TAGS'] }),
    );
    active += (described.services ?? []).filter((service) => service.status !== 'INACTIVE').length;
  }
  return active;
}

/** ecsClusterHandler manages the stack's ECS cluster (`ecs-cluster.main`, named after the stack). */
export const ecsClusterHandler: ResourceHandler<EcsClusterProperties> = {
  kind: 'ecs-cluster',
  fields: ECS_CLUSTER_FIELDS,

  async observeAll(ctx) {
    const owned = await observeOwnedClusters(ctx);
    return owned.map(observedCluster);
  },

  diff(desired, observed, desiredTags: Tags, observedTags: Tags): FieldChange[] {
    return [
      ...diffProperties(desired, observed, ECS_CLUSTER_FIELDS),
      ...diffTags(desiredTags, observedTags),
    ];
  },

  async create(ctx, desired: DesiredResource<EcsClusterProperties>) {
    const { name, containerInsights } = desired.properties;
    let created: CreateClusterCommandOutput;
    try {
      created = await ctx.clients.ecs.send(
        new CreateClusterCommand({
          clusterName: name,
          tags: ecsTagList(desired.tags),
          settings: [{ name: 'containerInsights', value: containerInsights }],
        }),
      );
    } catch (err) {
      throw new Error(`cannot create ecs cluster ${name}: ${errorCode(err) ?? String(err)}`, {
        cause: err,
      });
    }
    const cluster = created.cluster ?? {};
    return observedCluster({
      stack: desired.stack,
      address: desired.address,
      cluster: {
        ...cluster,
        clusterName: cluster.clusterName ?? name,
        settings: cluster.settings ?? [{ name: 'containerInsights', value: containerInsights }],
        status: cluster.status ?? 'ACTIVE',
      },
      tags: { ...desired.tags },
    });
  },

  async update(ctx, desired, observed, changes) {
    const fields = changedFields(changes);
    try {
      if (fields.has('containerInsights')) {
        await ctx.clients.ecs.send(
          new UpdateClusterSettingsCommand({
            cluster: observed.id,
            settings: [{ name: 'containerInsights', value: desired.properties.containerInsights }],
          }),
        );
      }
      if (hasTagChanges(changes)) {
        await syncEcsTags(ctx, observed.id, desired.tags, observed.tags);
      }
    } catch (err) {
      throw new Error(
        `cannot update ecs cluster ${observed.properties.name}: ${errorCode(err) ?? String(err)}`,
        { cause: err },
      );
    }
    return {
      ...observed,
      properties: {
        ...observed.properties,
        containerInsights: desired.properties.containerInsights,
      },
      tags: { ...desired.tags },
    };
  },

  async delete(ctx, observed, options: DeleteOptions) {
    try {
      if (options.deletionPolicy === 'retain') {
        await removeEcsManagementTags(ctx, observed.id, observed.tags);
        return;
      }
      const remaining = await activeServiceCount(ctx, observed.id);
      if (remaining > 0) {
        throw new Error(`${remaining} services remain in it`);
      }
      await ctx.clients.ecs.send(new DeleteClusterCommand({ cluster: observed.id }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw new Error(
        `cannot delete ecs cluster ${observed.properties.name}: ${errorCode(err) ?? (err as Error).message}`,
        { cause: err },
      );
    }
  },
};
