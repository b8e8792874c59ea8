import { dbInstanceHandler } from './db-instance.ts';
import { dbSubnetGroupHandler } from './db-subnet-group.ts';
import { ecsClusterHandler } from './ecs-cluster.ts';
import { ecsServiceHandler } from './ecs-service.ts';
import { elasticIpHandler } from './elastic-ip.ts';
import { iamRoleHandler } from './iam-role.ts';
import { internetGatewayHandler } from './internet-gateway.ts';
import { listenerHandler } from './listener.ts';
import { loadBalancerHandler } from './load-balancer.ts';
import { logGroupHandler } from './log-group.ts';
import { natGatewayHandler } from './nat-gateway.ts';
import { routeTableHandler } from './route-table.ts';
import { securityGroupHandler } from './security-group.ts';
import { subnetHandler } from './subnet.ts';
import { targetGroupHandler } from './target-group.ts';
import { taskDefinitionHandler } from './task-definition.ts';
import type { ResourceHandler } from './types.ts';
import { vpcHandler } from './vpc.ts';

/**
 * HANDLERS lists every resource kind in creation order: a kind only refers to kinds before it.
 * Deleting orphans (resources removed from the spec) walks this list backwards, because without a
 * state file the old dependencies of a removed resource are known only by kind.
 */
export const HANDLERS: readonly ResourceHandler[] = [
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
  taskDefinitionHandler,
  ecsServiceHandler,
  dbSubnetGroupHandler,
  dbInstanceHandler,
];

const byKind = new Map(HANDLERS.map((handler) => [handler.kind, handler]));

/** handlerFor returns the handler of a kind, or throws for an unknown kind. */
export function handlerFor(kind: string): ResourceHandler {
  const handler = byKind.get(kind);
  if (!handler) throw new Error(`unknown resource kind '${kind}'`);
  return handler;
}

/** kindRank is the position of a kind in creation order (deletes go from high to low). */
export function kindRank(kind: string): number {
  return HANDLERS.findIndex((handler) => handler.kind === kind);
}

/**
 * PROTECTED_KINDS are kinds whose replacement destroys data: a planned replace is guarded and apply
 * refuses it unless the address is explicitly allowed (`--allow-replace=db-instance.main`).
 */
export const PROTECTED_KINDS: ReadonlySet<string> = new Set(['db-instance']);
