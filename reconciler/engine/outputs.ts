/**
 * Stack outputs: what a person needs from what was deployed (a load balancer's DNS name, a
 * database endpoint, a repository URI), each kind saying which through its `outputs` function.
 * Pure; `reconciler output`, the end of `apply` and the daemon's /status print the same values.
 */
import { HANDLERS } from '../resources/registry.ts';
import type { ResourceHandler } from '../resources/types.ts';
import type { ObservedEntry } from './reconcile.ts';

/** ResourceOutputs are one resource's outputs by name, under its address. */
export type ResourceOutputs = Record<string, Record<string, string>>;

/** resourceOutputs collects the outputs of a stack's observed resources, by address (sorted). */
export function resourceOutputs(
  stack: { name: string; region: string },
  observed: readonly ObservedEntry[],
  handlers: readonly ResourceHandler[] = HANDLERS,
): ResourceOutputs {
  const byKind = new Map(handlers.map((handler) => [handler.kind, handler]));
  const outputs: ResourceOutputs = {};
  const entries = observed
    .filter((entry) => entry.stack === stack.name)
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (const entry of entries) {
    const values = byKind.get(entry.kind)?.outputs?.(entry, stack.region);
    if (values && Object.keys(values).length > 0) outputs[entry.address] = values;
  }
  return outputs;
}

/** StackOutputView is one stack's outputs as `reconciler output` prints them. */
export interface StackOutputView {
  stack: string;
  region: string;
  /** The stack's entry points (the load balancer's URL, the database's endpoint). */
  entryPoints: Record<string, string>;
  resources: ResourceOutputs;
}

/** renderOutputs prints outputs as `address.name = value` lines under each stack's name. */
export function renderOutputs(views: readonly StackOutputView[]): string {
  const lines: string[] = [];
  for (const view of views) {
    const rows: [string, string][] = [
      ...Object.entries(view.entryPoints),
      ...Object.entries(view.resources).flatMap(([address, values]) =>
        Object.entries(values).map(([name, value]): [string, string] => [
          `${address}.${name}`,
          value,
        ]),
      ),
    ];
    if (lines.length > 0) lines.push('');
    lines.push(`Outputs of stack ${view.stack} (${view.region}):`);
    if (rows.length === 0) lines.push('  (none yet: nothing that has outputs exists in AWS)');
    const width = Math.max(0, ...rows.map(([name]) => name.length));
    for (const [name, value] of rows) lines.push(`  ${name.padEnd(width)} = ${value}`);
  }
  return `${lines.join('\n')}\n`;
}
