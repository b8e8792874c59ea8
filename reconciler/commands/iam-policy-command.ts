/**
 * `reconciler iam-policy`: its flags and their errors. The policy itself is built in
 * iam-policy.ts from every kind's descriptor, loaded once the flags are read.
 */
import { parseArgs } from 'node:util';
import type { StackScope } from './iam-policy.ts';

const USAGE = `usage: reconciler iam-policy [paths...] [--stack NAME] [--lease-table NAME] [--read-only] [--account ID] [--output text|json]

Prints the least-privilege IAM policy the reconciler needs for exactly the given stacks: spec
files or folders (their stack names and tag keys), and/or --stack NAME. Writes are allowed only
on resources tagged reconciler:stack=<stack>, creates only with that tag, IAM only under the
stacks' role paths. Split into several managed policies when it exceeds IAM's 6,144 characters.
  --stack NAME        a stack by name (repeatable); without its spec, creates may carry any tag keys
  --lease-table NAME  also allow the daemon's DynamoDB lease table NAME
  --read-only         only the reads \`reconciler plan\` needs (a plan-only role)
  --account ID        scope ARNs to this 12-digit account id instead of any account
  --output text|json  numbered documents with counts (default), or a JSON array of documents`;

/** run is the `reconciler iam-policy` command. */
export async function run(argv: string[]): Promise<number> {
  let values: {
    stack?: string[];
    'lease-table'?: string;
    'read-only'?: boolean;
    account?: string;
    output?: string;
    help?: boolean;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        stack: { type: 'string', multiple: true },
        'lease-table': { type: 'string' },
        'read-only': { type: 'boolean' },
        account: { type: 'string' },
        output: { type: 'string', short: 'o', default: 'text' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    }));
  } catch (err) {
    console.error(`reconciler iam-policy: ${(err as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.output !== 'json' && values.output !== 'text') {
    console.error(`reconciler iam-policy: unknown output format '${values.output}' (text, json)`);
    return 1;
  }
  if (values.account !== undefined && !/^\d{12}$/.test(values.account)) {
    console.error(
      `reconciler iam-policy: --account must be a 12-digit account id, got '${values.account}'`,
    );
    return 1;
  }
  const leaseTable = values['lease-table'];
  if (leaseTable !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(leaseTable)) {
    console.error(
      `reconciler iam-policy: --lease-table '${leaseTable}' is not a DynamoDB table name`,
    );
    return 1;
  }
  const named = values.stack ?? [];
  for (const name of named) {
    if (!/^[a-z][a-z0-9-]{0,23}$/.test(name) || name.endsWith('-')) {
      console.error(`reconciler iam-policy: --stack '${name}' is not a stack name`);
      return 1;
    }
  }
  if (positionals.length === 0 && named.length === 0) {
    console.error(`reconciler iam-policy: name the stacks: spec paths or --stack NAME\n\n${USAGE}`);
    return 1;
  }
  // the policy is built from every kind's descriptor: loaded only now, so --help stays quick
  const [{ iamPolicy, renderText, splitPolicy, stackScopes }, { formatSpecError, loadStacks }] =
    await Promise.all([import('./iam-policy.ts'), import('../spec/load-stacks.ts')]);
  const stacks: StackScope[] = [];
  if (positionals.length > 0) {
    const loaded = await loadStacks(positionals);
    if (loaded.errors.length > 0) {
      console.error(loaded.errors.map(formatSpecError).join('\n'));
      return 1;
    }
    stacks.push(...stackScopes(loaded.stacks.map((stack) => stack.spec)));
  }
  for (const name of named) {
    if (!stacks.some((stack) => stack.name === name)) stacks.push({ name });
  }
  const policies = splitPolicy(
    iamPolicy({
      stacks,
      ...(leaseTable !== undefined ? { leaseTable } : {}),
      ...(values.account !== undefined ? { account: values.account } : {}),
      readOnly: values['read-only'] === true,
    }),
  );
  const names = stacks.map((stack) => stack.name);
  console.log(
    values.output === 'json' ? JSON.stringify(policies, null, 2) : renderText(policies, names),
  );
  return 0;
}
