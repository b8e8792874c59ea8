import { randomUUID } from 'node:crypto';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  type Deployment,
  type Service,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { kindOf, TAG_ADDRESS, tagListToMap } from '../aws/tags.ts';
import type { FieldChange } from '../plan/types.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { clusterServices, describeServices, ownedClusters } from './kit/ecs-clusters.ts';
import { sortedValues } from './kit/json.ts';
import { pick } from './kit/outputs.ts';
import { resolved } from './kit/refs.ts';
import { ecsTagging, ecsTagList } from './kit/tagging/ecs.ts';
import type {
  FieldRule,
  ObservedResource,
  Ref,
  ResourceContext,
  StabilityVerdict,
} from './types.ts';

/** ServiceLoadBalancer attaches the service's container port to a target group. */
export interface ServiceLoadBalancer {
  targetGroupArn: string | Ref;
  containerName: string;
  containerPort: number;
}

/** CapacityProviderStrategyItem places a share of a service's tasks on one capacity provider. */
export interface CapacityProviderStrategyItem {
  capacityProvider: string | Ref;
  weight: number;
  base: number;
}

/**
 * EcsServiceProperties mirror CreateService's input: a FARGATE service (launchType) or one on a
 * capacity provider (capacityProviderStrategy, no launchType); awsvpc tasks have a network
 * configuration, bridge ones none.
 */
export interface EcsServiceProperties extends Record<string, unknown> {
  /** ARN of the cluster. */
  cluster: string | Ref;
  serviceName: string;
  launchType?: string;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  /** ARN (with revision) of the task definition to run. */
  taskDefinition: string | Ref;
  /** With autoScaled, only the count CreateService starts with. */
  desiredCount: number;
  /**
   * Set when Application Auto Scaling owns the task count: desiredCount is then never diffed
   * nor sent by an update, and the plan notes the live count instead. Not an AWS property.
   */
  autoScaled?: boolean;
  networkConfiguration?: {
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
 * target groups of a rolling-update service since 2022), and the capacity provider strategy (with
 * a new deployment), so they update in place.
 */
export const ECS_SERVICE_FIELDS: Record<keyof EcsServiceProperties, FieldRule> = {
  cluster: 'replace',
  serviceName: 'replace',
  launchType: 'replace',
  capacityProviderStrategy: 'update',
  taskDefinition: 'update',
  desiredCount: 'update',
  autoScaled: 'ignore',
  networkConfiguration: 'update',
  loadBalancers: 'update',
  deploymentConfiguration: 'update',
  healthCheckGracePeriodSeconds: 'update',
  enableECSManagedTags: 'update',
  propagateTags: 'update',
};

/**
 * normalizeService turns a described ECS service into EcsServiceProperties (moto may omit
 * deploymentConfiguration). A service on a capacity provider strategy has no launch type (AWS
 * reports none; the strategy decides), and one without awsvpc no network configuration.
 */
export function normalizeService(service: Service): EcsServiceProperties {
  const vpc = service.networkConfiguration?.awsvpcConfiguration;
  const deployment = service.deploymentConfiguration;
  const strategy = (service.capacityProviderStrategy ?? []).map((item) => ({
    capacityProvider: item.capacityProvider ?? '',
    weight: item.weight ?? 0,
    base: item.base ?? 0,
  }));
  const properties: EcsServiceProperties = {
    cluster: service.clusterArn ?? '',
    serviceName: service.serviceName ?? '',
    ...(strategy.length > 0
      ? { capacityProviderStrategy: strategy }
      : { launchType: service.launchType ?? '' }),
    taskDefinition: service.taskDefinition ?? '',
    desiredCount: service.desiredCount ?? 0,
    ...(vpc
      ? {
          networkConfiguration: {
            subnets: [...(vpc.subnets ?? [])],
            securityGroups: [...(vpc.securityGroups ?? [])],
            assignPublicIp: vpc.assignPublicIp ?? 'DISABLED',
          },
        }
      : {}),
    loadBalancers: (service.loadBalancers ?? []).map((loadBalancer) => ({
      targetGroupArn: loadBalancer.targetGroupArn ?? '',
      containerName: loadBalancer.containerName ?? '',
      containerPort: loadBalancer.containerPort ?? 0,
    })),
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

/**
 * ecsServiceHandler manages one ECS service per spec service, in the stack's cluster. A service
 * is ours because it runs in our cluster (the pass's one cluster read): its address comes from
 * its tag, or from its name when the tag is missing, since an answer without tags must never make
 * a service look unowned (see DESIGN.md on moto). `apply --wait` asks `stability`.
 */
export const ecsServiceHandler = defineKind<EcsServiceProperties, ServiceInCluster>({
  kind: 'ecs-service',
  outputs: (service) => pick(service.attributes, ['name']),
  fields: ECS_SERVICE_FIELDS,
  after: [
    'ecs-cluster',
    'task-definition',
    'target-group',
    'listener',
    'security-group',
    'subnet',
    'capacity-provider',
  ],
  tagging: ecsTagging,
  // a service of a cluster already gone is gone too
  notFound: ['ServiceNotFoundException', 'ServiceNotActiveException', 'ClusterNotFoundException'],
  iamActions: {
    read: [
      'ecs:DescribeClusters',
      'ecs:ListServices',
      'ecs:DescribeServices',
      'elasticloadbalancing:DescribeTargetHealth',
    ],
    write: ['ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService'],
    scope: {
      arn: 'arn:aws:ecs:*:{account}:service/*',
      create: ['ecs:CreateService'],
    },
  },

  async list(ctx) {
    const perCluster = await Promise.all(
      (await ownedClusters(ctx)).map(async ({ stack, arn }) =>
        (await withTags(ctx, arn, await clusterServices(ctx, arn))).map((service) => ({
          stack,
          service,
        })),
      ),
    );
    return perCluster.flat();
  },

  toObserved: ({ stack, service }) => {
    const tagged = tagListToMap(service.tags)[TAG_ADDRESS];
    const address =
      tagged !== undefined && kindOf(tagged) === 'ecs-service'
        ? tagged
        : `ecs-service.${service.serviceName ?? ''}`;
    return { ...liveService(service), owner: { stack, address } };
  },

  /**
   * Moving between a launch type and a capacity provider strategy takes a new service: the
   * launch type is part of the service's identity even when the desired side has none.
   */
  explain(changes, desired, observed) {
    const placedBy = (p: EcsServiceProperties) =>
      p.capacityProviderStrategy?.length ? 'strategy' : p.launchType ? 'launchType' : undefined;
    const [want, have] = [placedBy(desired), placedBy(observed)];
    if (!want || !have || want === have || changes.some((c) => c.path === 'launchType')) {
      return changes;
    }
    const launchType: FieldChange & { reason: string } = {
      path: 'launchType',
      before: observed.launchType,
      after: desired.launchType,
      forcesReplacement: true,
      sensitive: false,
      reason: 'a move between a launch type and a capacity provider forces replacement',
    };
    return [...changes, launchType];
  },

  /**
   * The set-like lists (subnets, security groups, load balancers) in one order on both sides; an
   * auto scaled service's desired side has no desiredCount (absent means whatever AWS has).
   */
  normalize: ({ autoScaled, desiredCount, ...rest }) =>
    ({
      ...rest,
      ...(autoScaled ? {} : { desiredCount }),
      networkConfiguration: rest.networkConfiguration && {
        ...rest.networkConfiguration,
        subnets: sortedValues(rest.networkConfiguration.subnets),
        securityGroups: sortedValues(rest.networkConfiguration.securityGroups),
      },
      loadBalancers: sortedValues(rest.loadBalancers),
    }) as EcsServiceProperties,

  /** The live count of an auto scaled service is the scaler's: shown, never a change. */
  notes: (desired, observed) =>
    desired.autoScaled
      ? [`desiredCount: managed by auto scaling (now ${observed.desiredCount})`]
      : [],

  async create(ctx, desired) {
    const properties = desired.properties;
    const output = await ctx.clients.ecs.send(
      new CreateServiceCommand({
        cluster: resolved(properties.cluster, 'cluster'),
        serviceName: properties.serviceName,
        ...(properties.launchType ? { launchType: properties.launchType as 'FARGATE' } : {}),
        ...settingsInput(properties, Object.keys(SETTINGS)),
        tags: ecsTagList(desired.tags),
        // the SDK leaves it empty: one per create, sent again on each of the SDK's retries, so
        // a retry whose first answer was lost gets the same service back
        clientToken: randomUUID(),
      }),
    );
    if (!output.service) throw new Error('CreateService returned no service');
    return { ...liveService(output.service), tags: { ...desired.tags } };
  },

  /** UpdateService takes every changed field in one call. */
  async update(ctx, desired, observed, fields) {
    const { service } = await ctx.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: observed.properties.cluster as string,
        service: observed.properties.serviceName,
        ...settingsInput(desired.properties, fields),
        // a new strategy moves the tasks only with a new deployment
        ...(fields.has('capacityProviderStrategy') ? { forceNewDeployment: true } : {}),
      }),
    );
    return service && liveService(service);
  },

  /** Scales to zero, then deletes (force: tasks still running are stopped). */
  async destroy(ctx, observed) {
    const cluster = observed.properties.cluster as string;
    const service = observed.properties.serviceName;
    await ctx.clients.ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 0 }));
    await ctx.clients.ecs.send(new DeleteServiceCommand({ cluster, service, force: true }));
  },

  /** Deployments, running tasks and target health per service (serviceStability); draining ones are leaving. */
  async stability(ctx, observed) {
    const verdicts: StabilityVerdict[] = [];
    for (const resource of observed) {
      if (resource.status === 'deleting') continue;
      verdicts.push(...serviceStability(await serviceSnapshot(ctx, resource)));
    }
    return verdicts;
  },
});

type ServiceInCluster = { stack: string; service: Service };

/**
 * withTags describes once more the services that came back without any tag (moto can drop them
 * under concurrent requests), so the tag diff works on complete data.
 */
async function withTags(
  ctx: ResourceContext,
  cluster: string,
  services: Service[],
): Promise<Service[]> {
  const untagged = services.filter((service) => (service.tags ?? []).length === 0);
  if (untagged.length === 0) return services;
  const again = await describeServices(
    ctx,
    cluster,
    untagged.map((service) => service.serviceArn ?? ''),
  );
  const byArn = new Map(again.map((service) => [service.serviceArn, service]));
  return services.map((service) => byArn.get(service.serviceArn) ?? service);
}

function liveService(service: Service): Live<EcsServiceProperties> {
  const arn = service.serviceArn ?? '';
  return {
    id: arn,
    properties: normalizeService(service),
    tags: tagListToMap(service.tags),
    status: service.status === 'DRAINING' ? 'deleting' : 'ready',
    attributes: { arn, name: service.serviceName ?? '' },
    live: service,
  };
}

/** SETTINGS maps each field UpdateService changes to its input member (CreateService takes the same). */
const SETTINGS: Record<string, (properties: EcsServiceProperties) => ServiceSettings> = {
  taskDefinition: (properties) => ({
    taskDefinition: resolved(properties.taskDefinition, 'taskDefinition'),
  }),
  desiredCount: (properties) => ({ desiredCount: properties.desiredCount }),
  capacityProviderStrategy: ({ capacityProviderStrategy: strategy }) =>
    strategy
      ? {
          capacityProviderStrategy: strategy.map((item) => ({
            ...item,
            capacityProvider: resolved(item.capacityProvider, 'capacityProvider'),
          })),
        }
      : {},
  networkConfiguration: ({ networkConfiguration: network }) =>
    network
      ? {
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: network.subnets.map((subnet) => resolved(subnet, 'subnet')),
              securityGroups: network.securityGroups.map((group) =>
                resolved(group, 'security group'),
              ),
              assignPublicIp: network.assignPublicIp as 'DISABLED',
            },
          },
        }
      : {},
  loadBalancers: (properties) => ({
    loadBalancers: properties.loadBalancers.map((loadBalancer) => ({
      ...loadBalancer,
      targetGroupArn: resolved(loadBalancer.targetGroupArn, 'targetGroupArn'),
    })),
  }),
  deploymentConfiguration: (properties) => ({
    deploymentConfiguration: properties.deploymentConfiguration,
  }),
  healthCheckGracePeriodSeconds: (properties) => ({
    healthCheckGracePeriodSeconds: properties.healthCheckGracePeriodSeconds,
  }),
  enableECSManagedTags: (properties) => ({
    enableECSManagedTags: properties.enableECSManagedTags,
  }),
  propagateTags: (properties) => ({ propagateTags: properties.propagateTags as 'SERVICE' }),
};

type ServiceSettings = Omit<UpdateServiceCommandInput, 'cluster' | 'service'>;

function settingsInput(
  properties: EcsServiceProperties,
  fields: Iterable<string>,
): ServiceSettings {
  return Object.assign({}, ...[...fields].map((field) => SETTINGS[field]?.(properties)));
}

/** ServiceSnapshot is what `apply --wait` knows about one ECS service at one poll. */
export interface ServiceSnapshot {
  stack: string;
  address: string;
  desiredCount: number;
  runningCount: number;
  /** The deployments as DescribeServices reports them (id, status, rolloutState and its reason). */
  deployments: Deployment[];
  /** Target health states (`healthy`, `initial`, `unhealthy`, `draining`, ...) per target group ARN. */
  targetHealth: Record<string, string[]>;
}

/** serviceSnapshot reads the deployments of an observed service and its targets' health (DescribeTargetHealth). */
async function serviceSnapshot(
  ctx: ResourceContext,
  resource: ObservedResource<EcsServiceProperties>,
): Promise<ServiceSnapshot> {
  const service = (resource.live ?? {}) as Service;
  const targetHealth: Record<string, string[]> = {};
  for (const { targetGroupArn } of service.loadBalancers ?? []) {
    if (!targetGroupArn) continue;
    const health = await ctx.clients.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
    );
    targetHealth[targetGroupArn] = (health.TargetHealthDescriptions ?? []).map(
      (description) => description.TargetHealth?.State ?? 'unknown',
    );
  }
  return {
    stack: resource.stack,
    address: resource.address,
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    deployments: service.deployments ?? [],
    targetHealth,
  };
}

const ROLLBACK = /roll(ing|ed)? ?back/i;
const TARGET_NOT_READY = new Set(['initial', 'unhealthy', 'unavailable']);

/**
 * serviceStability is the pure verdict on one service at one poll, one verdict per reason. It is
 * stable when its PRIMARY deployment is COMPLETED and alone, every desired task runs and each of
 * its target groups has at least desiredCount healthy targets and none initial or unhealthy. A
 * FAILED deployment, or a primary deployment rolling back (circuit breaker), fails it.
 */
export function serviceStability(service: ServiceSnapshot): StabilityVerdict[] {
  const at = { stack: service.stack, address: service.address };
  const problems: string[] = [];
  for (const deployment of service.deployments) {
    if (deployment.rolloutState === 'FAILED') {
      const reason = deployment.rolloutStateReason ? `: ${deployment.rolloutStateReason}` : '';
      problems.push(`deployment ${deployment.id ?? ''} failed${reason}`);
    }
  }
  const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY');
  if (primary?.rolloutStateReason && ROLLBACK.test(primary.rolloutStateReason)) {
    problems.push(`the circuit breaker rolled back: ${primary.rolloutStateReason}`);
  }
  if (problems.length > 0) return problems.map((detail) => ({ ...at, state: 'failed', detail }));
  const waiting: string[] = [];
  if (primary && primary.rolloutState !== 'COMPLETED') {
    waiting.push(`deployment ${primary.rolloutState ?? 'in progress'}`);
  } else if (service.deployments.length > 1) {
    waiting.push(`${service.deployments.length - 1} old deployments draining`);
  }
  if (service.runningCount < service.desiredCount) {
    waiting.push(`${service.runningCount}/${service.desiredCount} tasks running`);
  }
  for (const [targetGroupArn, states] of Object.entries(service.targetHealth)) {
    const healthy = states.filter((state) => state === 'healthy').length;
    const notReady = states.filter((state) => TARGET_NOT_READY.has(state)).length;
    if (healthy < service.desiredCount || notReady > 0) {
      const name = targetGroupArn.split('/')[1] ?? targetGroupArn;
      waiting.push(`${healthy}/${service.desiredCount} targets healthy in ${name}`);
    }
  }
  if (waiting.length === 0) return [{ ...at, state: 'stable' }];
  return waiting.map((detail) => ({ ...at, state: 'waiting', detail }));
}
