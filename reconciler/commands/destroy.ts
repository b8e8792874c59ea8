/** `reconciler destroy`: delete everything the stacks own, dependents first, after confirmation. */
import { runChange } from './apply.ts';

/** run is the `reconciler destroy` command (see `reconciler destroy --help`). */
export function run(argv: string[]): Promise<number> {
  return runChange('destroy', argv);
}
