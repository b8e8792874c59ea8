import type { DesiredResource } from '../resources/types.ts';
import type { Stack } from '../spec/types.generated.ts';

/** expandEcs returns the stack's ecs resources (not implemented yet: none). */
export function expandEcs(_stack: Stack): DesiredResource[] {
  return [];
}
