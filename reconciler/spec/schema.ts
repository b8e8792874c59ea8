/**
 * The stack schema (schemas/stack.schema.json) and its compiled ajv validator, built once per process.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import type { Stack } from './types.generated.ts';

/** JsonSchema is a JSON Schema object as read from the schema file. */
export type JsonSchema = Record<string, unknown>;

// From source (reconciler/spec/) and from the build (dist/reconciler/spec/) alike.
const SCHEMA_CANDIDATES = [
  new URL('../../schemas/stack.schema.json', import.meta.url),
  new URL('../../../schemas/stack.schema.json', import.meta.url),
];

let cachedSchema: JsonSchema | undefined;
let cachedValidator: ValidateFunction<Stack> | undefined;

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

// ajv-formats is CommonJS; its default export arrives wrapped or bare depending on the loader.
type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsPlugin as unknown as { default?: FormatsPlugin }).default ??
  addFormatsPlugin) as unknown as FormatsPlugin;

/**
 * stackValidator returns the compiled validator: all errors (never only the first), strict schema
 * checking, and defaults applied to the validated value in place (`useDefaults`).
 */
export function stackValidator(): ValidateFunction<Stack> {
  if (cachedValidator) return cachedValidator;
  const ajv = new Ajv2020({ allErrors: true, strict: true, useDefaults: true, verbose: true });
  addFormats(ajv);
  cachedValidator = ajv.compile<Stack>(stackSchema());
  return cachedValidator;
}

/** SchemaError is an ajv error with the parent schema and data kept (`verbose`). */
export type SchemaError = ErrorObject;
