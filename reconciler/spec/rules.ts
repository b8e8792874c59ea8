/**
 * The rules of the stack spec that JSON Schema cannot say, checked in code.
 */
import type { SpecIssue } from './issue.ts';
import type { Stack } from './types.generated.ts';

/** checkRules returns every rule violation in a stack whose shape the schema has checked. */
export function checkRules(_stack: Stack): SpecIssue[] {
  return [];
}
