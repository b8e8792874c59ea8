import type { DesiredResource } from '../resources/types.ts';
import type { Stack } from '../spec/types.generated.ts';
import { expandDatabase } from './expand-database.ts';
import { expandEcs } from './expand-ecs.ts';
import { expandIamRoles } from './expand-iam.ts';
import { expandLoadBalancer } from './expand-load-balancer.ts';
import { expandLogGroups } from './expand-log-groups.ts';
import { expandNetwork } from './expand-network.ts';

/**
 * expandStack turns one validated stack spec (defaults applied) into its logical resources,
 * each with its address, properties (Refs for values of other resources) and full tag set.
 */
export function expandStack(stack: Stack): DesiredResource[] {
  return [
    ...expandNetwork(stack),
    ...expandLogGroups(stack),
    ...expandIamRoles(stack),
    ...expandLoadBalancer(stack),
    ...expandEcs(stack),
    ...expandDatabase(stack),
  ];
}
