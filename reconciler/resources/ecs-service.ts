import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ListServicesCommand,
  type Service,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { errorCode, isNotFound } from '../aws/errors.ts';
import { TAG_ADDRESS, tagListToMap } from '../aws/tags.ts';
import { addresses, kindOf } from '../graph/addresses.ts';
import { diffProperties, diffTags } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import {
  canonicalJson,
  changedFields,
  chunk,
  ecsTagList,
  hasTagChanges,
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
  Ref,
  ResourceContext,
  ResourceHandler,
  Tags,
} from './types.ts';

/** ServiceLoadBalancer attaches the service's container port to a target group. */
export interface ServiceLoadBalancer {
  targetGroupArn: string | Ref;
  containerName: string;
  containerPort: number;
}

/** EcsServiceProperties mirror CreateService's input for a FARGATE/awsvpc service. */
export interface EcsServiceProperties extends Record<string, unknown> {
  /** ARN of the cluster. */
  cluster: string | Ref;
  serviceName: string;
  launchType: string;
  /** ARN (with revision) of the task definition to run. */
  taskDefinition: string | Ref;
  desiredCount: number;
  networkConfiguration: {
    subnets: (string | Ref)[];
    securityGroups: (string | Ref)[];
    assignPublicIp: string;
  };
  loadBalancers: ServiceLoadBalancer[];
  deploymentConfiguration: {
    minimumHealthyPercent: number;
    maximumPercent: number;
    deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  };
  /** Only with a load balancer: ECS rejects it otherwise. */
  healthCheckGracePeriodSeconds?: number;
  enableECSManagedTags: boolean;
  propagateTags: string;
}

/**
 * ECS_SERVICE_FIELDS: cluster, name and launch type are fixed at CreateService (replace); every
 * other property is accepted by UpdateService, load balancers included (AWS allows changing the
 * target groups of a rolling-update service since 2022), so they update in place.
 */
export const ECS_SERVICE_FIELDS: Record<keyof EcsServiceProperties, FieldRule> = {
  cluster: 'replace',
  serviceName: 'replace',
  launchType: 'replace',
  taskDefinition: 'update',
  desiredCount: 'update',
  networkConfiguration: 'update',
  loadBalancers: 'update',
  deploymentConfiguration: 'update',
  healthCheckGracePeriodSeconds: 'update',
  enableECSManagedTags: 'update',
  propagateTags: 'update',
};

function sortedByJson<T>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => {
    const left = canonicalJson(a);
    const right = canonicalJson(b);
    return left < right ? -1 : left > right ? 1 : 0;
  });
}

/** normalizeSets orders the set-like lists (subnets, security groups, load balancers) the same way on both sides. */
function normalizeSets(properties: EcsServiceProperties): EcsServiceProperties {
  const network = properties.networkConfiguration;
  return {
    ...properties,
    networkConfiguration: network && {
      ...network,
      subnets: sortedByJson(network.subnets ?? []),
      securityGroups: sortedByJson(network.securityGroups ?? []),
    },
    loadBalancers: sortedByJson(properties.loadBalancers ?? []),
  };
}

/** normalizeService turns a described ECS service into EcsServiceProperties (moto may omit deploymentConfiguration). */
export function normalizeService(service: Service): EcsServiceProperties {
  const vpc = service.networkConfiguration?.awsvpcConfiguration;
  const deployment = service.deploymentConfiguration;
  const properties: EcsServiceProperties = {
    cluster: service.clusterArn ?? '',
    serviceName: service.serviceName ?? '',
    launchType: service.launchType ?? '',
    taskDefinition: service.taskDefinition ?? '',
    desiredCount: service.desiredCount ?? 0,
    networkConfiguration: {
      subnets: [...(vpc?.subnets ?? [])].sort(),
      securityGroups: [...(vpc?.securityGroups ?? [])].sort(),
      assignPublicIp: vpc?.assignPublicIp ?? 'DISABLED',
    },
    loadBalancers: sortedByJson(
      (service.loadBalancers ?? []).map((loadBalancer) => ({
        targetGroupArn: loadBalancer.targetGroupArn ?? '',
        containerName: loadBalancer.containerName ?? '',
        containerPort: loadBalancer.containerPort ?? 0,
      })),
    ),
    deploymentConfiguration: {
      minimumHealthyPercent: deployment?.minimumHealthyPercent as number,
      maximumPercent: deployment?.maximumPercent as number,
      deploymentCircuitBreaker: {
        enable: deployment?.deploymentCircuitBreaker?.enable as boolean,
        rollback: deployment?.deploymentCircuitBreaker?.rollback as boolean,
      },
    },
    enableECSManagedTags: service.enableECSManagedTags ?? false,
    propagateTags: service.propagateTags ?? 'NONE',
  };
  if (service.healthCheckGracePeriodSeconds !== undefined) {
    properties.healthCheckGracePeriodSeconds = service.healthCheckGracePeriodSeconds;
  }
  return properties;
}

function observedService(
  stack: string,
  address: string,
  service: Service,
  tags: Tags,
): ObservedResource<EcsServiceProperties> {
  const arn = service.serviceArn ?? '';
  return {
    address,
    kind: 'ecs-service',
    stack,
    id: arn,
    properties: normalizeService(service),
    tags,
    status: service.status === 'DRAINING' ? 'deleting' : 'ready',
    attributes: { id: arn, arn, name: service.serviceName ?? '' },
  };
}

async function describeServices(
  ctx: ResourceContext,
  clusterArn: string,
  serviceArns: string[],
): Promise<Service[]> {
  const described: Service[] = [];
  for (const batch of chunk(serviceArns, 10)) {
    const page = await ctx.clients.ecs.send(
      new DescribeServicesCommand({ cluster: clusterArn, services: batch, include: ['TAGS'] }),
    );
    described.push(...(page.services ?? []));
  }
  return described;
}

/**
 * observeClusterServices lists and describes the services of one owned cluster. A service is ours
 * because it runs in our cluster: its address comes from its tag, or from its name when the tag
 * is missing (an untagged answer must never make a service look unowned). Services that came back
 * without any tag are described once more, so the tag diff works on complete data.
 */
async function observeClusterServices(
  ctx: ResourceContext,
  stack: string,
  clusterArn: string,
): Promise<ObservedResource<EcsServiceProperties>[]> {
  const serviceArns = await paginate(async (nextToken) => {
    const page = await ctx.clients.ecs.send(
      new ListServicesCommand({ cluster: clusterArn, nextToken }),
    );
    return { items: page.serviceArns, nextToken: page.nextToken };
  });
  let services = (await describeServices(ctx, clusterArn, serviceArns)).filter(
    (service) => service.status !== 'INACTIVE',
  );
  const untagged = services.filter((service) => (service.tags ?? []).length === 0);
  if (untagged.length > 0) {
    const again = await describeServices(
      ctx,
      clusterArn,
      untagged.map((service) => service.serviceArn ?? ''),
    );
    const byArn = new Map(again.map((service) => [service.serviceArn, service]));
    services = services.map((service) => byArn.get(service.serviceArn) ?? service);
  }
  return services.map((service) => {
    const tags = tagListToMap(service.tags);
    const tagged = tags[TAG_ADDRESS];
    const address =
      tagged !== undefined && kindOf(tagged) === 'ecs-service'
        ? tagged
        : addresses.ecsService(service.serviceName ?? '');
    return observedService(stack, address, service, tags);
  });
}

function resolved(value: string | Ref, what: string): string {
  if (typeof value !== 'string')
    throw new Error(`${what} is an unresolved reference to ${value.$ref}`);
  return value;
}

function awsNetworkConfiguration(properties: EcsServiceProperties) {
  const network = properties.networkConfiguration;
  return {
    awsvpcConfiguration: {
      subnets: network.subnets.map((subnet) => resolved(subnet, 'subnet')),
      securityGroups: network.securityGroups.map((group) => resolved(group, 'security group')),
      assignPublicIp: network.assignPublicIp as 'DISABLED',
    },
  };
}

function awsLoadBalancers(properties: EcsServiceProperties) {
  return properties.loadBalancers.map((loadBalancer) => ({
    targetGroupArn: resolved(loadBalancer.targetGroupArn, 'targetGroupArn'),
    containerName: loadBalancer.containerName,
    containerPort: loadBalancer.containerPort,
  }));
}

function failure(action: string, name: string, err: unknown): Error {
  return new Error(
    `cannot ${action} ecs service ${name}: ${errorCode(err) ?? (err as Error).message}`,
    {
      cause: err,
    },
  );
}

/** ecsServiceHandler manages one ECS service per spec service, in the stack's cluster. */
export const ecsServiceHandler: ResourceHandler<EcsServiceProperties> = {
  kind: 'ecs-service',
  fields: ECS_SERVICE_FIELDS,

  async observeAll(ctx) {
    const clusters = await observeOwnedClusters(ctx);
    const perCluster = await Promise.all(
      clusters.map((owned) =>
        observeClusterServices(ctx, owned.stack, owned.cluster.clusterArn ?? ''),
      ),
    );
    return perCluster.flat();
  },

  diff(desired, observed, desiredTags: Tags, observedTags: Tags): FieldChange[] {
    return [
      ...diffProperties(normalizeSets(desired), normalizeSets(observed), ECS_SERVICE_FIELDS),
      ...diffTags(desiredTags, observedTags),
    ];
  },

  async create(ctx, desired: DesiredResource<EcsServiceProperties>) {
    const properties = desired.properties;
    try {
      const output = await ctx.clients.ecs.send(
        new CreateServiceCommand({
          cluster: resolved(properties.cluster, 'cluster'),
          serviceName: properties.serviceName,
          launchType: properties.launchType as 'FARGATE',
          taskDefinition: resolved(properties.taskDefinition, 'taskDefinition'),
          desiredCount: properties.desiredCount,
          networkConfiguration: awsNetworkConfiguration(properties),
          loadBalancers: awsLoadBalancers(properties),
          deploymentConfiguration: properties.deploymentConfiguration,
          ...(properties.healthCheckGracePeriodSeconds !== undefined
            ? { healthCheckGracePeriodSeconds: properties.healthCheckGracePeriodSeconds }
            : {}),
          enableECSManagedTags: properties.enableECSManagedTags,
          propagateTags: properties.propagateTags as 'SERVICE',
          tags: ecsTagList(desired.tags),
        }),
      );
      if (!output.service) throw new Error('CreateService returned no service');
      return observedService(desired.stack, desired.address, output.service, { ...desired.tags });
    } catch (err) {
      throw failure('create', properties.serviceName, err);
    }
  },

  async update(ctx, desired, observed, changes) {
    const properties = desired.properties;
    const fields = changedFields(changes);
    const input: UpdateServiceCommandInput = {
      cluster: observed.properties.cluster as string,
      service: observed.properties.serviceName,
    };
    if (fields.has('taskDefinition')) {
      input.taskDefinition = resolved(properties.taskDefinition, 'taskDefinition');
    }
    if (fields.has('desiredCount')) input.desiredCount = properties.desiredCount;
    if (fields.has('networkConfiguration')) {
      input.networkConfiguration = awsNetworkConfiguration(properties);
    }
    if (fields.has('loadBalancers')) input.loadBalancers = awsLoadBalancers(properties);
    if (fields.has('deploymentConfiguration')) {
      input.deploymentConfiguration = properties.deploymentConfiguration;
    }
    if (fields.has('healthCheckGracePeriodSeconds')) {
      input.healthCheckGracePeriodSeconds = properties.healthCheckGracePeriodSeconds;
    }
    if (fields.has('enableECSManagedTags')) {
      input.enableECSManagedTags = properties.enableECSManagedTags;
    }
    if (fields.has('propagateTags')) input.propagateTags = properties.propagateTags as 'SERVICE';
    try {
      let service: Service | undefined;
      if (Object.keys(input).length > 2) {
        service = (await ctx.clients.ecs.send(new UpdateServiceCommand(input))).service;
      }
      if (hasTagChanges(changes)) {
        await syncEcsTags(ctx, observed.id, desired.tags, observed.tags);
      }
      const tags = { ...desired.tags };
      return service
        ? observedService(desired.stack, desired.address, service, tags)
        : { ...observed, tags };
    } catch (err) {
      throw failure('update', observed.properties.serviceName, err);
    }
  },

  async delete(ctx, observed, options: DeleteOptions) {
    const cluster = observed.properties.cluster as string;
    const service = observed.properties.serviceName;
    try {
      if (options.deletionPolicy === 'retain') {
        await removeEcsManagementTags(ctx, observed.id, observed.tags);
        return;
      }
      await ctx.clients.ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 0 }));
      await ctx.clients.ecs.send(new DeleteServiceCommand({ cluster, service, force: true }));
    } catch (err) {
      if (isNotFound(err) || errorCode(err) === 'ServiceNotActiveException') return;
      throw failure('delete', service, err);
    }
  },
};
