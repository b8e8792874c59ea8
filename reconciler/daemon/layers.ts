/** Layer is the part of a stack a resource belongs to, as the status page groups them. */
export type Layer = 'network' | 'load balancer' | 'compute' | 'database' | 'logs' | 'monitoring';

/** LAYERS is the display order: what is created first comes first. */
export const LAYERS: readonly Layer[] = [
  'network',
  'load balancer',
  'compute',
  'database',
  'logs',
  'monitoring',
];

/**
 * LAYER_OF_KIND places each resource kind in one layer. layers.test.ts checks that it names
 * every registered kind and nothing else, so a new kind cannot go missing from the page.
 */
export const LAYER_OF_KIND: Readonly<Record<string, Layer>> = {
  vpc: 'network',
  subnet: 'network',
  'internet-gateway': 'network',
  'elastic-ip': 'network',
  'nat-gateway': 'network',
  'route-table': 'network',
  'security-group': 'network',
  'load-balancer': 'load balancer',
  'target-group': 'load balancer',
  listener: 'load balancer',
  'iam-role': 'compute',
  'ecs-cluster': 'compute',
  'ecr-repository': 'compute',
  'instance-profile': 'compute',
  'launch-template': 'compute',
  'auto-scaling-group': 'compute',
  'capacity-provider': 'compute',
  'task-definition': 'compute',
  'ecs-service': 'compute',
  'scalable-target': 'compute',
  'scaling-policy': 'compute',
  'db-subnet-group': 'database',
  'db-instance': 'database',
  'db-replica': 'database',
  'log-group': 'logs',
  'sns-topic': 'monitoring',
  'sns-subscription': 'monitoring',
  'metric-alarm': 'monitoring',
  dashboard: 'monitoring',
};

/** layerOf is the layer of a kind; a kind the table does not know is shown with compute. */
export function layerOf(kind: string): Layer {
  return LAYER_OF_KIND[kind] ?? 'compute';
}

/** TreeNode is what treeParents needs of a resource: its address, layer and dependencies. */
export interface TreeNode {
  address: string;
  layer: Layer;
  dependsOn: readonly string[];
}

/**
 * treeParents turns the dependency graph into one tree per layer: a resource hangs under the
 * dependency of its own layer that is deepest in that layer (a route table under its NAT gateway
 * rather than under the VPC both depend on). Dependencies on other layers do not make a parent;
 * a resource without one in its layer is a root (absent from the map). Ties go to the first
 * dependency in address order, so the tree is the same on every run.
 */
export function treeParents(nodes: readonly TreeNode[]): Map<string, string> {
  const byAddress = new Map(nodes.map((node) => [node.address, node]));
  const sameLayer = (node: TreeNode) =>
    [...node.dependsOn]
      .sort()
      .filter(
        (address) => byAddress.get(address)?.layer === node.layer && address !== node.address,
      );
  const depths = new Map<string, number>();
  const depth = (address: string, visiting: Set<string>): number => {
    const known = depths.get(address);
    if (known !== undefined) return known;
    const node = byAddress.get(address);
    if (!node || visiting.has(address)) return 0;
    visiting.add(address);
    const below = sameLayer(node).map((dependency) => depth(dependency, visiting));
    visiting.delete(address);
    const value = below.length === 0 ? 0 : 1 + Math.max(...below);
    depths.set(address, value);
    return value;
  };
  const parents = new Map<string, string>();
  for (const node of nodes) {
    let parent: string | undefined;
    let parentDepth = -1;
    for (const dependency of sameLayer(node)) {
      const candidate = depth(dependency, new Set([node.address]));
      if (candidate > parentDepth) {
        parent = dependency;
        parentDepth = candidate;
      }
    }
    if (parent !== undefined) parents.set(node.address, parent);
  }
  return parents;
}
