/**
 * `reconciler adopt`: take over a resource that has a desired resource's name but not the
 * stack's ownership tags (its tags were removed out of band, or it was made by hand).
 */
import { prepareReconcile } from '../engine/reconcile.ts';
import { CommandError, loadSelectedStacks, messageOf } from './plan.ts';

/** run is the `reconciler adopt` command. */
export async function run(positionals: string[], values: { stack?: string } = {}): Promise<number> {
  try {
    if (positionals.length < 2) {
      throw new CommandError(
        `needs ADDRESS and ID, got '${positionals.join(' ')}' (see reconciler adopt --help)`,
      );
    }
    const [address, id] = positionals.slice(-2) as [string, string];
    const paths = positionals.slice(0, -2);
    const stacks = await loadSelectedStacks(paths, values.stack ? [values.stack] : []);
    if (!stacks) return 1;
    if (stacks.length > 1) {
      throw new CommandError(
        `several stacks (${stacks.map((stack) => stack.name).join(', ')}): name one with --stack`,
      );
    }
    const [stack] = stacks as [(typeof stacks)[number]];
    const prepared = await prepareReconcile({ stacks: [stack], mode: 'plan' });
    try {
      const { kind } = await prepared.adopt(stack.name, address, id);
      console.log(
        `adopted ${kind} ${id} as ${address} of stack ${stack.name}; run plan to see what apply converges`,
      );
    } finally {
      prepared.close();
    }
    return 0;
  } catch (err) {
    console.error(`reconciler adopt: ${messageOf(err)}`);
    return 1;
  }
}
