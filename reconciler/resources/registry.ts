import { autoScalingGroupHandler } from './auto-scaling-group.ts';
import { capacityProviderHandler } from './capacity-provider.ts';
import { dashboardHandler } from './dashboard.ts';
import { dbInstanceHandler } from './db-instance.ts';
import { dbReplicaHandler } from './db-replica.ts';
import { dbSubnetGroupHandler } from './db-subnet-group.ts';
import { ecrRepositoryHandler } from './ecr-repository.ts';
import { ecsClusterHandler } from './ecs-cluster.ts';
import { ecsServiceHandler } from './ecs-service.ts';
import { elasticIpHandler } from './elastic-ip.ts';
import { iamRoleHandler } from './iam-role.ts';
import { instanceProfileHandler } from './instance-profile.ts';
import { internetGatewayHandler } from './internet-gateway.ts';
import { launchTemplateHandler } from './launch-template.ts';
import { listenerHandler } from './listener.ts';
import { loadBalancerHandler } from './load-balancer.ts';
import { logGroupHandler } from './log-group.ts';
import { metricAlarmHandler } from './metric-alarm.ts';
import { natGatewayHandler } from './nat-gateway.ts';
import { routeTableHandler } from './route-table.ts';
import { scalableTargetHandler } from './scalable-target.ts';
import { scalingPolicyHandler } from './scaling-policy.ts';
import { securityGroupHandler } from './security-group.ts';
import { snsSubscriptionHandler } from './sns-subscription.ts';
import { snsTopicHandler } from './sns-topic.ts';
import { subnetHandler } from './subnet.ts';
import { targetGroupHandler } from './target-group.ts';
import { taskDefinitionHandler } from './task-definition.ts';
import type { ResourceHandler } from './types.ts';
import { vpcHandler } from './vpc.ts';

/**
 * REGISTERED lists every kind once: one line per kind. The order of creation is not this list's
 * but the kinds' own `after` (the kinds each may refer to); this list only breaks ties.
 */
const REGISTERED: readonly ResourceHandler[] = [
  vpcHandler,
  subnetHandler,
  internetGatewayHandler,
  elasticIpHandler,
  natGatewayHandler,
  routeTableHandler,
  securityGroupHandler,
  logGroupHandler,
  iamRoleHandler,
  loadBalancerHandler,
  targetGroupHandler,
  listenerHandler,
  ecsClusterHandler,
  ecrRepositoryHandler,
  instanceProfileHandler,
  launchTemplateHandler,
  autoScalingGroupHandler,
  capacityProviderHandler,
  taskDefinitionHandler,
  ecsServiceHandler,
  scalableTargetHandler,
  scalingPolicyHandler,
  dbSubnetGroupHandler,
  dbInstanceHandler,
  dbReplicaHandler,
  snsTopicHandler,
  snsSubscriptionHandler,
  metricAlarmHandler,
  dashboardHandler,
];

/**
 * creationOrder sorts kinds so that each comes after every kind in its `after` (a stable
 * topological sort: ties keep registration order). A cycle or an unknown kind is a bug in a
 * kind file and throws at load.
 */
export function creationOrder(handlers: readonly ResourceHandler[]): ResourceHandler[] {
  const byKind = new Map(handlers.map((handler) => [handler.kind, handler]));
  const ordered: ResourceHandler[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (handler: ResourceHandler, path: string[]) => {
    if (state.get(handler.kind) === 'done') return;
    if (state.get(handler.kind) === 'visiting') {
      throw new Error(
        `resource kinds refer to each other in a cycle: ${[...path, handler.kind].join(' -> ')}`,
      );
    }
    state.set(handler.kind, 'visiting');
    for (const kind of handler.after ?? []) {
      const dependency = byKind.get(kind);
      if (!dependency)
        throw new Error(`resource kind ${handler.kind} comes after unknown kind ${kind}`);
      visit(dependency, [...path, handler.kind]);
    }
    state.set(handler.kind, 'done');
    ordered.push(handler);
  };
  for (const handler of handlers) visit(handler, []);
  return ordered;
}

/**
 * HANDLERS lists every resource kind in creation order: a kind only refers to kinds before it.
 * Deleting orphans (resources removed from the spec) walks this list backwards, because without a
 * state file the old dependencies of a removed resource are known only by kind.
 */
export const HANDLERS: readonly ResourceHandler[] = creationOrder(REGISTERED);

const byKind = new Map(HANDLERS.map((handler) => [handler.kind, handler]));

/** handlerFor returns the handler of a kind, or throws for an unknown kind. */
export function handlerFor(kind: string): ResourceHandler {
  const handler = byKind.get(kind);
  if (!handler) throw new Error(`unknown resource kind '${kind}'`);
  return handler;
}

/**
 * PROTECTED_KINDS are kinds whose replacement destroys data (their `protected` flag): a planned
 * replace is guarded and apply refuses it unless the address is explicitly allowed
 * (`--allow-replace=db-instance.main`).
 */
export const PROTECTED_KINDS: ReadonlySet<string> = new Set(
  HANDLERS.filter((handler) => handler.protected).map((handler) => handler.kind),
);
