/**
 * `reconciler validate [paths...]`: checks stack specs against the schema and the stack rules
 * without touching AWS (this path never imports the AWS SDK, so it starts fast).
 */
import { formatSpecError, loadStacks } from '../spec/load-stacks.ts';

/** ValidateOptions are the flags of `reconciler validate` (see reconciler/cli.ts). */
export interface ValidateOptions {
  output?: 'human' | 'json';
}

/** run is the `reconciler validate` command; it returns 0 when every spec is valid, else 1. */
export async function run(positionals: string[], values: ValidateOptions = {}): Promise<number> {
  const output = values.output ?? 'human';
  const paths = positionals.length > 0 ? positionals : ['specs/'];
  const { stacks, errors } = await loadStacks(paths);
  const noSpecs = stacks.length === 0 && errors.length === 0;
  if (noSpecs) {
    errors.push({
      file: paths.join(', '),
      line: 0,
      column: 0,
      path: 'spec',
      message: 'no spec files found (a folder contributes its *.yaml and *.yml files)',
    });
  }
  if (output === 'json') {
    process.stdout.write(`${JSON.stringify(errors, null, 2)}\n`);
    return errors.length === 0 ? 0 : 1;
  }
  if (errors.length > 0) {
    const files = new Set(errors.map((error) => error.file)).size;
    process.stderr.write(
      `${errors.map(formatSpecError).join('\n')}\n\n${errors.length} error${errors.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}\n`,
    );
    return 1;
  }
  console.log(`${stacks.length} stack${stacks.length === 1 ? '' : 's'} valid`);
  return 0;
}
