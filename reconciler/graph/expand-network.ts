import type { DesiredResource } from '../resources/types.ts';
import type { Stack } from '../spec/types.generated.ts';

/** expandNetwork returns the stack's network resources (not implemented yet: none). */
export function expandNetwork(_stack: Stack): DesiredResource[] {
  return [];
}
