/**
 * The one place the ajv options of the stack schema are spelled, shared by the validator generator
 * and the tests that compile the schema at run time.
 */
import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';

/**
 * AJV_OPTIONS: all errors (never only the first), strict schema checking, defaults applied to the
 * validated value, and `verbose` so every error carries its data and parent schema for messages.
 */
export const AJV_OPTIONS: Options = {
  allErrors: true,
  strict: true,
  useDefaults: true,
  verbose: true,
};

// ajv-formats is CommonJS; its default export arrives wrapped or bare depending on the loader.
type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsPlugin as unknown as { default?: FormatsPlugin }).default ??
  addFormatsPlugin) as unknown as FormatsPlugin;

/** createAjv returns an ajv instance for JSON Schema 2020-12 with AJV_OPTIONS and ajv-formats. */
export function createAjv(extra: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, ...extra });
  addFormats(ajv);
  return ajv;
}
