import { type DesiredResource, isRef, type Ref } from '../resources/types.ts';

/** GraphError is a dependency graph that cannot be ordered: a cycle or a reference to nothing. */
export class GraphError extends Error {
  override name = 'GraphError';
}

/** collectRefs returns every Ref found anywhere in a value (objects and arrays, any depth). */
export function collectRefs(value: unknown, found: Ref[] = []): Ref[] {
  if (isRef(value)) {
    found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collectRefs(item, found);
  }
  return found;
}

/** dependenciesOf is a resource's `dependsOn` plus every address its properties refer to, sorted, unique. */
export function dependenciesOf(resource: DesiredResource): string[] {
  const addresses = new Set(resource.dependsOn);
  for (const found of collectRefs(resource.properties)) addresses.add(found.$ref);
  return [...addresses].sort();
}

/**
 * dependencyGraph maps each address to the addresses it depends on.
 * Throws a GraphError naming both addresses when a resource depends on one the stack does not
 * define, or when two resources share an address.
 */
export function dependencyGraph(resources: readonly DesiredResource[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const resource of resources) {
    if (graph.has(resource.address)) {
      throw new GraphError(`duplicate address ${resource.address} in stack ${resource.stack}`);
    }
    graph.set(resource.address, dependenciesOf(resource));
  }
  for (const resource of resources) {
    for (const dependency of graph.get(resource.address) ?? []) {
      if (!graph.has(dependency)) {
        throw new GraphError(
          `dangling reference in stack ${resource.stack}: ${resource.address} depends on ${dependency}, which the stack does not define`,
        );
      }
    }
  }
  return graph;
}

function findCycle(graph: Map<string, string[]>, remaining: Set<string>): string[] {
  const visiting: string[] = [];
  const done = new Set<string>();
  const visit = (address: string): string[] | undefined => {
    const at = visiting.indexOf(address);
    if (at !== -1) return [...visiting.slice(at), address];
    if (done.has(address) || !remaining.has(address)) return undefined;
    visiting.push(address);
    for (const dependency of graph.get(address) ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    visiting.pop();
    done.add(address);
    return undefined;
  };
  for (const address of [...remaining].sort()) {
    const cycle = visit(address);
    if (cycle) return cycle;
  }
  return [...remaining].sort();
}

/**
 * orderGraph sorts a graph (address -> dependencies) into waves: every address of a wave depends
 * only on addresses of earlier waves, so a wave may run in parallel. Addresses in a wave are sorted.
 * Throws a GraphError that spells the cycle (`a -> b -> a`) when there is one.
 */
export function orderGraph(graph: Map<string, string[]>): string[][] {
  const remaining = new Set(graph.keys());
  const placed = new Set<string>();
  const waves: string[][] = [];
  while (remaining.size > 0) {
    const wave = [...remaining]
      .filter((address) => (graph.get(address) ?? []).every((dependency) => placed.has(dependency)))
      .sort();
    if (wave.length === 0) {
      throw new GraphError(`dependency cycle: ${findCycle(graph, remaining).join(' -> ')}`);
    }
    for (const address of wave) {
      remaining.delete(address);
      placed.add(address);
    }
    waves.push(wave);
  }
  return waves;
}

/** orderWaves validates the resources of one stack and returns their topological waves of addresses. */
export function orderWaves(resources: readonly DesiredResource[]): string[][] {
  const graph = dependencyGraph(resources);
  try {
    return orderGraph(graph);
  } catch (err) {
    const stack = resources[0]?.stack ?? '';
    throw new GraphError(`${(err as Error).message} in stack ${stack}`, { cause: err });
  }
}
