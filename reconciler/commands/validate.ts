/**
 * `reconciler validate [paths...]`: checks stack specs against the schema and the stack rules
 * without touching AWS (this path never imports the AWS SDK, so it starts fast).
 */
import { parseArgs } from 'node:util';
import { formatSpecError, loadStacks } from '../spec/load-stacks.ts';

const HELP = `usage: reconciler validate [paths...] [--output human|json]

Checks stack specs (YAML) against the stack schema and the stack rules. A path is a spec file or
a folder; a folder contributes its own *.yaml and *.yml files, not those of its subfolders.
Default path: specs/

options:
  -o, --output human|json   human: errors as file:line:col: path: message on stderr (default)
                            json: the errors as a JSON list of {file, line, column, path, message} on stdout
  -h, --help                show this help

exit status: 0 when every spec is valid, 1 otherwise`;

/** run is the `reconciler validate` command; it returns 0 when every spec is valid, else 1. */
export async function run(argv: string[]): Promise<number> {
  let values: { output?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o', default: 'human' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(
      `reconciler validate: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`,
    );
    return 1;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const output = values.output ?? 'human';
  if (output !== 'human' && output !== 'json') {
    console.error(`reconciler validate: --output must be human or json, got '${output}'`);
    return 1;
  }
  const paths = positionals.length > 0 ? positionals : ['specs/'];
  const { stacks, errors } = await loadStacks(paths);
  const noSpecs = stacks.length === 0 && errors.length === 0;
  if (noSpecs) {
    errors.push({
      file: paths.join(', '),
      line: 1,
      column: 1,
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
