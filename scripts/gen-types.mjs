// Generates reconciler/spec/types.generated.ts from schemas/stack.schema.json.
// With --check it only compares, and fails when the committed file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { compile } from 'json-schema-to-typescript';

const schemaPath = new URL('../schemas/stack.schema.json', import.meta.url);
const outputPath = new URL('../reconciler/spec/types.generated.ts', import.meta.url);

const schema = JSON.parse(await readFile(schemaPath, 'utf8'));
const banner =
  '/* Generated from schemas/stack.schema.json by `npm run gen:types`. Do not edit by hand. */';
const generated = await compile(schema, 'Stack', {
  bannerComment: banner,
  additionalProperties: false,
  unknownAny: true,
  strictIndexSignatures: false,
  format: true,
  style: { singleQuote: true, printWidth: 100, trailingComma: 'all' },
  cwd: new URL('../schemas/', import.meta.url).pathname,
});

if (process.argv.includes('--check')) {
  const committed = await readFile(outputPath, 'utf8').catch(() => '');
  if (committed !== generated) {
    console.error(
      'reconciler/spec/types.generated.ts is stale: run `npm run gen:types` and commit the result',
    );
    process.exit(1);
  }
} else {
  await writeFile(outputPath, generated);
  console.log('wrote reconciler/spec/types.generated.ts');
}
