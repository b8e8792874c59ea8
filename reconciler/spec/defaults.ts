/**
 * The schema defaults, applied outside validation: the one source of every default value is
 * schemas/stack.schema.json, whether a spec was loaded and validated or built by hand in a test.
 */
import generatedValidator from './stack-validator.generated.ts';
import type { ResolvedStack, Stack } from './types.generated.ts';

/**
 * withDefaults returns a copy of stack with every schema default filled in by the generated ajv
 * validator (useDefaults); stack itself is left as it is. The copy is not checked: validation
 * is the loader's job, and defaults are filled in wherever the value allows, valid or not.
 */
export function withDefaults(stack: Stack): ResolvedStack {
  const copy = structuredClone(stack);
  generatedValidator(copy);
  return copy as unknown as ResolvedStack;
}
