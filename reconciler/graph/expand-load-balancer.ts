import type { DesiredResource } from '../resources/types.ts';
import type { Stack } from '../spec/types.generated.ts';

/** expandLoadBalancer returns the stack's load-balancer resources (not implemented yet: none). */
export function expandLoadBalancer(_stack: Stack): DesiredResource[] {
  return [];
}
