import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createAjv } from './ajv-options.ts';
import { GENERATED_VALIDATOR_URL, generateValidatorSource } from './gen-validator.ts';
import { stackSchema, stackValidator } from './schema.ts';

type Node = Record<string, unknown>;

function walk(node: unknown, path: string, visit: (node: Node, path: string) => void): void {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) walk(item, `${path}/${index}`, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  visit(node as Node, path);
  for (const [key, value] of Object.entries(node)) walk(value, `${path}/${key}`, visit);
}

test('every property and every patterned string in the schema has a description', () => {
  const undescribed: string[] = [];
  walk(stackSchema(), '#', (node, path) => {
    const properties = node.properties as Record<string, Node> | undefined;
    for (const [key, property] of Object.entries(properties ?? {})) {
      if (typeof property.description !== 'string' && typeof property.$ref !== 'string') {
        undescribed.push(`${path}/properties/${key}`);
      }
    }
    if (typeof node.pattern === 'string' && typeof node.description !== 'string') {
      undescribed.push(path);
    }
  });
  assert.deepStrictEqual(undescribed, []);
});

test('every $ref target has a description', () => {
  const defs = stackSchema().$defs as Record<string, Node>;
  const undescribed = Object.entries(defs)
    .filter(([, def]) => typeof def.description !== 'string')
    .map(([name]) => name);
  assert.deepStrictEqual(undescribed, []);
});

test('no default sits where ajv would ignore it: on a $ref target', () => {
  // ajv fills in a default written on the property, never the default of a definition it refers to.
  const defs = stackSchema().$defs as Record<string, Node>;
  const ignored = Object.entries(defs)
    .filter(([, def]) => def.default !== undefined)
    .map(([name]) => name);
  assert.deepStrictEqual(ignored, []);
});

test('the validator compiles in strict mode and fills in defaults', () => {
  const value = {
    name: 'tiny',
    region: 'us-west-2',
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a'],
      publicSubnets: ['10.0.0.0/24'],
      privateSubnets: ['10.0.1.0/24'],
    },
  };
  assert.equal(stackValidator()(value), true);
  assert.deepStrictEqual(
    { environment: 'dev', natGateways: 'single', paused: false },
    {
      environment: (value as Node).environment,
      natGateways: (value.network as Node).natGateways,
      paused: (value as Node).paused,
    },
  );
});

test('the generated validator is up to date with the schema', () => {
  const committed = readFileSync(GENERATED_VALIDATOR_URL, 'utf8');
  assert.ok(
    committed === generateValidatorSource(),
    'reconciler/spec/stack-validator.generated.ts is stale: run `node --import tsx reconciler/spec/gen-validator.ts`',
  );
});

test('the generated validator reports what a freshly compiled schema reports', async () => {
  const compiled = createAjv().compile(stackSchema());
  const { readdir } = await import('node:fs/promises');
  const { parseSpecSource } = await import('./load.ts');
  const dir = new URL('../../test/fixtures/invalid/', import.meta.url);
  for (const entry of (await readdir(dir)).filter((name) => name.endsWith('.yaml'))) {
    const parsed = parseSpecSource(readFileSync(new URL(entry, dir), 'utf8'));
    if (!parsed.ok) continue;
    const forGenerated = structuredClone(parsed.spec.value);
    const forCompiled = structuredClone(parsed.spec.value);
    const generated = stackValidator();
    assert.equal(generated(forGenerated), compiled(forCompiled), entry);
    const strip = (errors: typeof compiled.errors) =>
      (errors ?? []).map(({ instancePath, schemaPath, keyword, params }) => ({
        instancePath,
        schemaPath,
        keyword,
        params,
      }));
    assert.deepStrictEqual(strip(generated.errors), strip(compiled.errors), entry);
    assert.deepStrictEqual(forGenerated, forCompiled, `${entry}: defaults`);
  }
});
