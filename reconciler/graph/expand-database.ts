import type { DesiredResource } from '../resources/types.ts';
import type { Stack } from '../spec/types.generated.ts';

/** expandDatabase returns the stack's database resources (not implemented yet: none). */
export function expandDatabase(_stack: Stack): DesiredResource[] {
  return [];
}
