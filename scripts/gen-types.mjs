// Generates reconciler/spec/types.generated.ts from schemas/stack.schema.json: the spec as written
// (Stack) and the spec after ajv filled in the schema defaults (ResolvedStack).
// With --check it only compares, and fails when the committed file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { compile } from 'json-schema-to-typescript';

const schemaPath = new URL('../schemas/stack.schema.json', import.meta.url);
const outputPath = new URL('../reconciler/spec/types.generated.ts', import.meta.url);

const schema = JSON.parse(await readFile(schemaPath, 'utf8'));
const banner =
  '/* Generated from schemas/stack.schema.json by `npm run gen:types`. Do not edit by hand. */';
const options = {
  additionalProperties: false,
  unknownAny: true,
  strictIndexSignatures: false,
  format: true,
  style: { singleQuote: true, printWidth: 100, trailingComma: 'all' },
  cwd: new URL('../schemas/', import.meta.url).pathname,
};

const SUBSCHEMAS_WITHOUT_REQUIRED = new Set(['if', 'then', 'else', 'default']);

/**
 * resolvedSchema is the schema as the value looks once ajv applied its defaults: a property with a
 * default is required (ajv fills in only a default written on the property itself, never one of a
 * definition it refers to); a default under if/then applies only sometimes and leaves its property
 * optional. Its types are named Resolved<Name>.
 */
function resolvedSchema(source, writtenTypes) {
  const copy = structuredClone(source);
  const definitions = copy.$defs ?? {};
  const hasDefault = (property) => property.default !== undefined;
  const visit = (node) => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (node.properties && typeof node.properties === 'object') {
      const defaulted = Object.keys(node.properties).filter((key) =>
        hasDefault(node.properties[key]),
      );
      if (defaulted.length > 0)
        node.required = [...new Set([...(node.required ?? []), ...defaulted])];
    }
    for (const [key, value] of Object.entries(node)) {
      if (!SUBSCHEMAS_WITHOUT_REQUIRED.has(key)) visit(value);
    }
  };
  const typeName = (name) => `${name[0].toUpperCase()}${name.slice(1)}`;
  const original = structuredClone(definitions);
  visit(copy);
  const changed = new Set(
    Object.keys(definitions).filter(
      (name) => JSON.stringify(definitions[name]) !== JSON.stringify(original[name]),
    ),
  );
  // A definition that refers to a changed one changes too (registry -> repository).
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of Object.keys(definitions)) {
      if (changed.has(name)) continue;
      const text = JSON.stringify(definitions[name]);
      if ([...changed].some((other) => text.includes(`"#/$defs/${other}"`))) {
        changed.add(name);
        grew = true;
      }
    }
  }
  // A definition no default changes keeps its written type: refer to it rather than repeat it.
  const reused = new Set(
    Object.keys(definitions).filter(
      (name) => !changed.has(name) && writtenTypes.has(typeName(name)),
    ),
  );
  const reuse = (node) => {
    if (Array.isArray(node)) return node.map(reuse);
    if (node === null || typeof node !== 'object') return node;
    const name = typeof node.$ref === 'string' ? node.$ref.replace('#/$defs/', '') : undefined;
    if (name !== undefined && reused.has(name)) {
      const { $ref: _ref, ...rest } = node;
      return { ...rest, tsType: typeName(name) };
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, reuse(value)]));
  };
  const resolved = reuse(copy);
  for (const name of reused) delete resolved.$defs[name];
  resolved.title = `Resolved${copy.title}`;
  resolved.description = `${copy.description} Every field with a schema default is present (ajv useDefaults).`;
  for (const name of changed) resolved.$defs[name].title = `Resolved${typeName(name)}`;
  return resolved;
}

const written = await compile(schema, 'Stack', { ...options, bannerComment: banner });
const writtenTypes = new Set(
  [...written.matchAll(/^export (?:type|interface) (\w+)/gm)].map((match) => match[1]),
);
const resolved = await compile(resolvedSchema(schema, writtenTypes), 'ResolvedStack', {
  ...options,
  bannerComment: '',
});
const generated = `${written}\n${resolved}`;

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
