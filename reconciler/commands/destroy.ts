/** `reconciler destroy`: delete everything the stacks own, dependents first, after confirmation. */
import { type ChangeOptions, runChange } from './apply.ts';

/** run is the `reconciler destroy` command (see `reconciler destroy --help`). */
export function run(positionals: string[], values: ChangeOptions = {}): Promise<number> {
  return runChange('destroy', positionals, values);
}
