/**
 * `reconciler output [paths...]`: observe AWS (read only) and print what each stack exposes, as
 * `apply` prints it at its end.
 */
import { allOutputs, stackOutputs } from '../daemon/stack-view.ts';
import { renderOutputs, resourceOutputs, type StackOutputView } from '../engine/outputs.ts';
import { type ObservedEntry, prepareReconcile } from '../engine/reconcile.ts';
import type { Stack } from '../spec/types.generated.ts';
import { loadSelectedStacks, messageOf } from './plan.ts';

/** OutputOptions are the flags of `reconciler output` (see reconciler/cli.ts). */
export interface OutputOptions {
  stack?: string[];
  output?: 'human' | 'json';
}

/** outputViews are the stacks' entry points and resource outputs from what was observed. */
export function outputViews(
  stacks: readonly Stack[],
  observed: readonly ObservedEntry[],
): StackOutputView[] {
  return stacks.map((stack) => ({
    stack: stack.name,
    region: stack.region,
    entryPoints: { ...stackOutputs(stack, observed) },
    resources: resourceOutputs(stack, observed),
  }));
}

/** run is the `reconciler output` command. */
export async function run(positionals: string[], values: OutputOptions = {}): Promise<number> {
  try {
    const stacks = await loadSelectedStacks(positionals, values.stack ?? []);
    if (!stacks) return 1;
    const prepared = await prepareReconcile({ stacks, mode: 'plan' });
    prepared.close();
    if (values.output === 'json') {
      const byStack = Object.fromEntries(
        stacks.map((stack) => [stack.name, allOutputs(stack, prepared.observed)]),
      );
      process.stdout.write(`${JSON.stringify(byStack, null, 2)}\n`);
    } else {
      process.stdout.write(renderOutputs(outputViews(stacks, prepared.observed)));
    }
    return 0;
  } catch (err) {
    console.error(`reconciler output: ${messageOf(err)}`);
    return 1;
  }
}
