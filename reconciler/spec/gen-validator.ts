/**
 * Generates reconciler/spec/stack-validator.generated.ts: the stack schema compiled ahead of time by
 * ajv (standalone code), so the CLI neither loads ajv's compiler nor compiles the schema at start.
 * Run `node --import tsx reconciler/spec/gen-validator.ts` after changing schemas/stack.schema.json;
 * with --check it only reports whether the committed file is stale (a unit test does the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { createAjv } from './ajv-options.ts';

const schemaUrl = new URL('../../schemas/stack.schema.json', import.meta.url);
/** GENERATED_VALIDATOR_URL is where the generated validator lives. */
export const GENERATED_VALIDATOR_URL = new URL('./stack-validator.generated.ts', import.meta.url);

const RUNTIME_REQUIRE = /require\("ajv\/dist\/runtime\/([a-z0-9]+)"\)\.default/g;

/** generateValidatorSource returns the text of stack-validator.generated.ts for the current schema. */
export function generateValidatorSource(): string {
  const schema = JSON.parse(readFileSync(schemaUrl, 'utf8')) as Record<string, unknown>;
  const ajv = createAjv({ code: { source: true, esm: true } });
  const validate = ajv.compile(schema);
  type Standalone = (ajv: unknown, validate: unknown) => string;
  const imported = standaloneCode as unknown as Standalone & { default?: Standalone };
  const toStandalone: Standalone = imported.default ?? imported;
  let code = toStandalone(ajv, validate);
  // The standalone code is ESM but still requires ajv's small runtime helpers; import them instead.
  const runtimes = new Set<string>();
  code = code.replace(RUNTIME_REQUIRE, (_match: string, name: string) => {
    runtimes.add(name);
    return `(${name}Runtime.default ?? ${name}Runtime)`;
  });
  if (/\brequire\(/.test(code)) {
    throw new Error(
      'cannot generate the stack validator: the standalone code requires a module not handled here',
    );
  }
  const imports = [...runtimes]
    .sort()
    .map((name) => `import ${name}Runtime from 'ajv/dist/runtime/${name}.js';`);
  return [
    '// biome-ignore-all lint: generated code',
    '// biome-ignore-all format: generated code',
    '// @ts-nocheck',
    '/* Generated from schemas/stack.schema.json by `node --import tsx reconciler/spec/gen-validator.ts`. Do not edit by hand. */',
    ...imports,
    code.replace(/^"use strict";/, ''),
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const generated = generateValidatorSource();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(GENERATED_VALIDATOR_URL, 'utf8');
    } catch {
      committed = '';
    }
    if (committed !== generated) {
      console.error(
        'reconciler/spec/stack-validator.generated.ts is stale: run `node --import tsx reconciler/spec/gen-validator.ts`',
      );
      process.exitCode = 1;
    }
  } else {
    writeFileSync(GENERATED_VALIDATOR_URL, generated);
    console.log('wrote reconciler/spec/stack-validator.generated.ts');
  }
}
