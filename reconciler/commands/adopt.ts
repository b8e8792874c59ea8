/**
 * `reconciler adopt`: take over a resource that has a desired resource's name but not the
 * stack's ownership tags (its tags were removed out of band, or it was made by hand).
 */
import { parseArgs } from 'node:util';
import { prepareReconcile } from '../engine/reconcile.ts';
import { CommandError, loadSelectedStacks, messageOf } from './plan.ts';

const HELP = `usage: reconciler adopt [paths...] ADDRESS ID [--stack NAME]

Takes over the AWS resource ID for the stack's ADDRESS: it must hold the name the spec gives
ADDRESS (plan reports it as "exists as ID but is not owned"). adopt writes only the stack's
reconciler:* ownership tags; the next plan or apply then converges its other settings and tags.
A path is a spec file or a folder of *.yaml / *.yml files. Default path: specs/

options:
      --stack NAME   the stack ADDRESS belongs to (needed when the paths hold several)
  -h, --help         show this help

example:
  reconciler adopt specs/shop.yaml security-group.database sg-0123456789abcdef0

exit status: 0 adopted, 1 error (nothing changed)`;

/** run is the `reconciler adopt` command. */
export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        stack: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length < 2) {
      throw new CommandError(`needs ADDRESS and ID, got '${positionals.join(' ')}'\n\n${HELP}`);
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
