import type { DesiredResource } from '../resources/types.ts';
import type { Stack } from '../spec/types.generated.ts';

/** expandIamRoles returns the stack's iam resources (not implemented yet: none). */
export function expandIamRoles(_stack: Stack): DesiredResource[] {
  return [];
}
