/**
 * The import graph of the two programs, read from the TypeScript files' import and export
 * statements (type-only ones included: a cycle of types is still two modules that cannot be
 * understood apart). No module of reconciler/ or service/ is part of a cycle, and none but a
 * unit test imports from test/, so test code never reaches dist/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '..');
const SOURCE_ROOTS = ['reconciler', 'service'];
const IMPORT =
  /^\s*(?:import|export)(?:\s+type)?\s[^;]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** importsOf lists the files a module imports by relative path, as paths from the repository root. */
function importsOf(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  return [...source.matchAll(IMPORT)]
    .map((match) => match[1] ?? match[2] ?? '')
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(root, resolve(dirname(join(root, file)), specifier)));
}

/** cyclesOf returns every strongly connected component of more than one module (or a self-import), each as a closed path. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1 || graph.get(node)?.includes(node)) components.push(component);
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return components.map((component) => closedPath(graph, new Set(component)));
}

/** closedPath walks from the component's first module (by name) back to it, inside the component. */
function closedPath(graph: Map<string, string[]>, members: Set<string>): string[] {
  const [start] = [...members].sort();
  if (start === undefined) return [];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (
          let at: string | undefined = node;
          at !== undefined && at !== start;
          at = previous.get(at)
        ) {
          path.splice(1, 0, at);
        }
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

function importGraph(): Map<string, string[]> {
  const files = SOURCE_ROOTS.flatMap((dir) => sourceFiles(join(root, dir))).map((file) =>
    relative(root, file),
  );
  return new Map(files.map((file) => [file, [...new Set(importsOf(file))].sort()]));
}

test('cyclesOf finds a circle of three and a self-import, and nothing in a tree', () => {
  const cases = [
    {
      reason: 'a circle of three, with a tail into it',
      graph: { a: ['b'], b: ['c'], c: ['a'], d: ['a'] },
      expected: [['a', 'b', 'c', 'a']],
    },
    {
      reason: 'a module importing itself',
      graph: { a: ['a', 'b'], b: [] },
      expected: [['a', 'a']],
    },
    {
      reason: 'a tree with a shared leaf',
      graph: { a: ['b', 'c'], b: ['c'], c: [] },
      expected: [],
    },
  ];
  for (const { reason, graph, expected } of cases) {
    assert.deepStrictEqual(cyclesOf(new Map(Object.entries(graph))), expected, reason);
  }
});

test('no import cycle in reconciler/ or service/', () => {
  const graph = importGraph();
  assert.ok(graph.size > 100, `read only ${graph.size} modules`);
  const edges = [...graph.values()].reduce((sum, imports) => sum + imports.length, 0);
  assert.ok(edges > graph.size, `found only ${edges} imports`);
  assert.deepStrictEqual(
    cyclesOf(graph).map((cycle) => cycle.join(' -> ')),
    [],
  );
});

test('no module of reconciler/ or service/ but a unit test imports from test/', () => {
  const intoTest = [...importGraph()].flatMap(([file, imports]) =>
    imports.filter((target) => target.startsWith('test/')).map((target) => `${file} -> ${target}`),
  );
  assert.deepStrictEqual(intoTest, []);
});
