#!/usr/bin/env node
/**
 * The reconciler command line: `reconciler <command> [options]`.
 * Each command lives in reconciler/commands/<name>.ts and is imported only when used,
 * so `reconciler validate` never loads the AWS SDK (cold start).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** CommandModule is what every reconciler/commands/<name>.ts exports. */
export interface CommandModule {
  /** run executes the command with the arguments after its name and returns the exit code. */
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  validate: {
    summary: 'check stack specs against the schema and the stack rules',
    load: () => import('./commands/validate.ts'),
  },
  plan: {
    summary: 'show what apply would change (dry run)',
    load: () => import('./commands/plan.ts'),
  },
  apply: {
    summary: 'converge the stacks once',
    load: () => import('./commands/apply.ts'),
  },
  destroy: {
    summary: 'delete everything the stacks own',
    load: () => import('./commands/destroy.ts'),
  },
  adopt: {
    summary: 'take over a resource that has a spec name but not our tags',
    load: () => import('./commands/adopt.ts'),
  },
  run: {
    summary: 'run the daemon: keep converging, correct drift',
    load: () => import('./commands/run.ts'),
  },
  'iam-policy': {
    summary: 'print the IAM policy the reconciler needs',
    load: () => import('./commands/iam-policy.ts'),
  },
};

/** usage is the top-level help text. */
export function usage(): string {
  const lines = Object.entries(COMMANDS).map(
    ([name, command]) => `  ${name.padEnd(12)}${command.summary}`,
  );
  return [
    'usage: reconciler <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'Run `reconciler <command> --help` for the options of a command.',
  ].join('\n');
}

/** main dispatches to a command and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version') {
    console.log(process.env.npm_package_version ?? '0.1.0');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`reconciler: unknown command '${name}'\n\n${usage()}`);
    return 1;
  }
  const module = await command.load();
  return module.run(rest);
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`reconciler: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
