import type { DesiredResource } from '../resources/types.ts';
import type { Stack } from '../spec/types.generated.ts';

/** expandLogGroups returns the stack's log-groups resources (not implemented yet: none). */
export function expandLogGroups(_stack: Stack): DesiredResource[] {
  return [];
}
