import type { DesiredResource } from '../resources/types.ts';
import { withDefaults } from '../spec/defaults.ts';
import type { Stack } from '../spec/types.generated.ts';
import { expandAutoScaling } from './expand-auto-scaling.ts';
import { expandCapacity } from './expand-capacity.ts';
import { expandDatabase } from './expand-database.ts';
import { expandEcs } from './expand-ecs.ts';
import { expandIamRoles } from './expand-iam.ts';
import { expandLoadBalancer } from './expand-load-balancer.ts';
import { expandLogGroups } from './expand-log-groups.ts';
import { expandMonitoring } from './expand-monitoring.ts';
import { expandNetwork } from './expand-network.ts';
import { expandRegistry } from './expand-registry.ts';

/**
 * expandStack turns one stack spec into its logical resources, each with its address, properties
 * (Refs for values of other resources) and full tag set. It fills the schema defaults into a copy
 * of the spec first, so a spec that never went through the loader plans as a loaded one does; the
 * expanders read every default from there and invent none.
 */
export function expandStack(stack: Stack): DesiredResource[] {
  const resolved = withDefaults(stack);
  return [
    ...expandNetwork(resolved),
    ...expandLogGroups(resolved),
    ...expandRegistry(resolved),
    ...expandIamRoles(resolved),
    ...expandLoadBalancer(resolved),
    ...expandEcs(resolved),
    ...expandAutoScaling(resolved),
    ...expandCapacity(resolved),
    ...expandDatabase(resolved),
    ...expandMonitoring(resolved),
  ];
}
