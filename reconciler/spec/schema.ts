/**
 * The stack schema (schemas/stack.schema.json) and its validator. At run time the validator is the
 * schema compiled ahead of time (stack-validator.generated.ts), so starting the CLI loads neither
 * ajv's compiler nor the schema file; tests compile the schema with ajv to check it is not stale.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import generatedValidator from './stack-validator.generated.ts';
import type { Stack } from './types.generated.ts';

/** JsonSchema is a JSON Schema object as read from the schema file. */
export type JsonSchema = Record<string, unknown>;

// From source (reconciler/spec/) and from the build (dist/reconciler/spec/) alike.
const SCHEMA_CANDIDATES = [
  new URL('../../schemas/stack.schema.json', import.meta.url),
  new URL('../../../schemas/stack.schema.json', import.meta.url),
];

let cachedSchema: JsonSchema | undefined;

/** stackSchema returns the parsed stack schema, read once from schemas/stack.schema.json. */
export function stackSchema(): JsonSchema {
  if (cachedSchema) return cachedSchema;
  const failures: unknown[] = [];
  for (const candidate of SCHEMA_CANDIDATES) {
    try {
      cachedSchema = JSON.parse(readFileSync(candidate, 'utf8')) as JsonSchema;
      return cachedSchema;
    } catch (error) {
      failures.push(error);
    }
  }
  throw new Error(`cannot read schemas/stack.schema.json next to ${import.meta.url}`, {
    cause: failures[0],
  });
}

/**
 * stackValidator returns the stack validator: all errors (never only the first), defaults applied
 * to the validated value in place, every error with its data and parent schema (see AJV_OPTIONS).
 */
export function stackValidator(): ValidateFunction<Stack> {
  return generatedValidator as unknown as ValidateFunction<Stack>;
}

/** SchemaError is an ajv error with the parent schema and data kept (`verbose`). */
export type SchemaError = ErrorObject;
