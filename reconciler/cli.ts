#!/usr/bin/env node
/**
 * The reconciler command line: `reconciler <command> [options]`, parsed by commander (help,
 * `--version`, did-you-mean suggestions, the option table `completion` prints from).
 * Each command lives in reconciler/commands/<name>.ts and is imported only when it runs,
 * so `reconciler validate` never loads the AWS SDK (cold start).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';

/** CommandModule is what every reconciler/commands/<name>.ts exports. */
export interface CommandModule {
  /**
   * run executes the command with its operands and its options as commander parsed them (for
   * `run` and `iam-policy`, which parse their own flags, the raw arguments) and returns the exit code.
   */
  run(args: string[], options: Record<string, unknown>): Promise<number>;
}

type Loader = () => Promise<CommandModule>;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const stackOption = (verb: string) =>
  new Option('--stack <name>', `${verb} only this stack (repeatable)`)
    .argParser(collect)
    .default([]);
const statsOption = () =>
  new Option('--stats', 'print the AWS calls made, by service and operation, to stderr');
const colorOption = () =>
  new Option('--no-color', 'no ANSI colours (also with NO_COLOR, or when stdout is no terminal)');
const parallelismOption = (what: string) => new Option('--parallelism <n>', `${what} (default 8)`);
const approveOption = () =>
  new Option('--auto-approve', 'do not ask for confirmation (required without a terminal)');

const PLAN_NOTES = `
Observes AWS (one batched, tag-filtered read per resource kind and region), compares it with the
stack specs and prints what \`reconciler apply\` would do. Changes nothing. A path is a spec file
or a folder of *.yaml / *.yml files. Default path: specs/

With --out FILE (Terraform's -out=FILE works too) the plan is saved with what it was computed
from: a hash of each stack's spec and a fingerprint of each observed resource. \`reconciler apply
FILE\` then applies exactly that plan, and refuses when a spec or a live resource changed since.

exit status: 0 success (with --detailed-exitcode: no changes), 2 changes (only with
--detailed-exitcode), 1 error (invalid specs are reported as file:line:col and AWS is not touched)`;

const APPLY_NOTES = `
Plans like \`reconciler plan\`, shows the plan, asks for confirmation, then applies exactly that
plan: independent operations in parallel, each printed when it starts and when it finishes.
A failed operation stops only what depends on it; run apply again to resume. Default path: specs/
At the end it prints the stacks' outputs (\`reconciler output\` prints them again).

Given a plan saved by \`plan --out FILE\` instead of spec paths, apply reads the specs the plan
was made from, observes AWS again and applies the saved plan without asking (it was reviewed);
it refuses, naming what changed, when a spec or a live resource differs from what the plan saw.

exit status: 0 applied (or nothing to do), 1 error, refused confirmation, a stale saved plan,
failed operations, or (with --wait) a rollout that failed, rolled back or did not settle in time`;

const DESTROY_NOTES = `
Deletes every AWS resource the stacks own (found by their reconciler:stack tag), dependents
first. Resources with deletionPolicy retain are untagged and left in AWS; a database with
deletionPolicy snapshot gets a final snapshot. Nothing untagged is ever touched. Default path: specs/

exit status: 0 destroyed (or nothing to do), 1 error, refused confirmation, or failed operations`;

const VALIDATE_NOTES = `
Checks stack specs (YAML) against the stack schema and the stack rules. A path is a spec file or
a folder; a folder contributes its own *.yaml and *.yml files, not those of its subfolders.
Default path: specs/

exit status: 0 when every spec is valid, 1 otherwise`;

const ADOPT_NOTES = `
Takes over the AWS resource ID for the stack's ADDRESS: it must hold the name the spec gives
ADDRESS (plan reports it as "exists as ID but is not owned"). adopt writes only the stack's
reconciler:* ownership tags; the next plan or apply then converges its other settings and tags.
A path is a spec file or a folder of *.yaml / *.yml files. Default path: specs/

example:
  reconciler adopt specs/shop.yaml security-group.database sg-0123456789abcdef0

exit status: 0 adopted, 1 error (nothing changed)`;

const OUTPUT_NOTES = `
Observes AWS (read only) and prints what each stack exposes: the load balancer's DNS name and
URL, the database endpoint and port, repository URIs, cluster, service and log group names.

exit status: 0 printed, 1 error`;

const STATUS_NOTES = `
Reads a running daemon's /status (\`reconciler run\`) and prints one line per stack: its
conditions, the revision applied, the last sync and the last error.

exit status: 0 every stack ready, 2 some stack not ready, 1 the daemon could not be read`;

/** version is the package's version, read from the package.json next to the source or dist tree. */
function version(): string {
  for (const relative of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const text = readFileSync(new URL(relative, import.meta.url), 'utf8');
      const parsed = JSON.parse(text) as { name?: string; version?: string };
      if (parsed.name === 'aws-reconciler' && parsed.version) return parsed.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}

/** oneLine turns commander's message (`error: ...` and a `(Did you mean ...?)` line) into one line. */
export function oneLine(message: string): string {
  return message
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, '; ')
    .trim();
}

/**
 * buildProgram is the command tree; `exit` receives each command's exit code. Separate from
 * main so the completion script is generated from the same tree the parser uses.
 */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command('reconciler')
    .description('Converge AWS stacks described in YAML specs, once or as a daemon.')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError(false);

  const add = (name: string, summary: string, load: Loader, notes?: string): Command => {
    const command = program
      .command(name)
      .description(summary)
      .helpOption('-h, --help', 'show this help')
      .exitOverride()
      .configureOutput({
        outputError: (text, write) => write(`reconciler ${name}: ${oneLine(text)}\n`),
      })
      .action(async (...params: unknown[]) => {
        const self = params.at(-1) as Command;
        const module = await load();
        exit(await module.run(self.args, self.opts()));
      });
    if (notes) command.addHelpText('after', notes);
    return command;
  };
  program.configureOutput({
    outputError: (text, write) => write(`reconciler: ${oneLine(text)}\n`),
  });

  add(
    'validate',
    'check stack specs against the schema and the stack rules',
    () => import('./commands/validate.ts'),
    VALIDATE_NOTES,
  )
    .usage('[paths...] [--output human|json]')
    .argument('[paths...]', 'spec files or folders (default specs/)')
    .addOption(
      new Option('-o, --output <format>', 'human: errors as file:line:col on stderr; json: a list')
        .choices(['human', 'json'])
        .default('human'),
    );

  add(
    'plan',
    'show what apply would change (dry run); --out FILE saves it',
    () => import('./commands/plan.ts'),
    PLAN_NOTES,
  )
    .argument('[paths...]', 'spec files or folders (default specs/)')
    .addOption(stackOption('plan'))
    .addOption(
      new Option('-o, --output <format>', 'human, json or markdown (a pull-request comment)')
        .choices(['human', 'json', 'markdown'])
        .default('human'),
    )
    .addOption(new Option('--out <file>', 'save the plan for `reconciler apply FILE`'))
    .addOption(new Option('--detailed-exitcode', 'exit 2 when there are changes (0: none)'))
    .addOption(statsOption())
    .addOption(colorOption())
    .addOption(parallelismOption('concurrent AWS reads'));

  add(
    'apply',
    'converge the stacks once (or apply a saved plan)',
    () => import('./commands/apply.ts'),
    APPLY_NOTES,
  )
    .argument('[paths...]', 'spec files or folders (default specs/), or one saved plan')
    .addOption(stackOption('apply'))
    .addOption(approveOption())
    .addOption(parallelismOption('at most N operations at once'))
    .addOption(
      new Option(
        '--allow-replace <address>',
        'allow the guarded replacement of ADDRESS, e.g. db-instance.main (repeatable)',
      )
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option(
        '--wait',
        'after applying, wait until nothing is pending in AWS and the stacks are stable',
      ),
    )
    .addOption(
      new Option(
        '--wait-timeout <duration>',
        'give up waiting after this long: 900, 90s, 15m, 1h (default 15m)',
      ),
    )
    .addOption(new Option('--wait-interval <duration>', 'time between polls (default 10s)'))
    .addOption(statsOption())
    .addOption(colorOption());

  add(
    'destroy',
    'delete everything the stacks own',
    () => import('./commands/destroy.ts'),
    DESTROY_NOTES,
  )
    .argument('[paths...]', 'spec files or folders (default specs/)')
    .addOption(stackOption('destroy'))
    .addOption(approveOption())
    .addOption(parallelismOption('at most N operations at once'))
    .addOption(statsOption())
    .addOption(colorOption());

  add(
    'adopt',
    'take over a resource that has a spec name but not our tags',
    () => import('./commands/adopt.ts'),
    ADOPT_NOTES,
  )
    .usage('[paths...] ADDRESS ID [--stack NAME]')
    .argument('[args...]', 'spec paths, then the ADDRESS and the ID')
    .addOption(new Option('--stack <name>', 'the stack ADDRESS belongs to'));

  add(
    'output',
    'print the stacks’ outputs (DNS names, endpoints, URIs)',
    () => import('./commands/output.ts'),
    OUTPUT_NOTES,
  )
    .argument('[paths...]', 'spec files or folders (default specs/)')
    .addOption(stackOption('print'))
    .addOption(
      new Option('-o, --output <format>', 'human or json')
        .choices(['human', 'json'])
        .default('human'),
    );

  add(
    'status',
    'show a running daemon’s stacks: conditions, revision, last sync and error',
    () => import('./commands/status.ts'),
    STATUS_NOTES,
  )
    .addOption(
      new Option('--url <url>', 'the daemon’s status listener').default(
        process.env.RECONCILER_URL ?? 'http://127.0.0.1:9464',
        'RECONCILER_URL, else http://127.0.0.1:9464',
      ),
    )
    .addOption(
      new Option('-o, --output <format>', 'human or json')
        .choices(['human', 'json'])
        .default('human'),
    )
    .addOption(new Option('--no-color', 'no ANSI colours'));

  // these two parse their own flags (the daemon's options are shared with its tests)
  for (const [name, summary, load] of [
    ['run', 'run the daemon: keep converging, correct drift', () => import('./commands/run.ts')],
    [
      'iam-policy',
      'print the IAM policy the reconciler needs',
      () => import('./commands/iam-policy-command.ts'),
    ],
  ] as const) {
    add(name, summary, load)
      .addHelpText('after', `\nThe options: reconciler ${name} --help`)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .argument('[args...]');
  }

  add('completion', 'print a shell completion script: bash or zsh', async () => ({
    run: async (args) => completion(program, args[0]),
  }))
    .usage('bash|zsh')
    .addHelpText(
      'after',
      '\nbash: source <(reconciler completion bash)   zsh: source <(reconciler completion zsh)',
    )
    .argument('<shell>', 'bash or zsh');
  return program;
}

/** completionTable lists each command with its options (long and short forms). */
export function completionTable(program: Command): Map<string, string[]> {
  const table = new Map<string, string[]>();
  for (const command of program.commands) {
    const flags = command.options.flatMap((option) =>
      [option.long, option.short].filter((flag): flag is string => Boolean(flag)),
    );
    if (command.name() !== 'run' && command.name() !== 'iam-policy') flags.push('--help');
    table.set(command.name(), flags);
  }
  return table;
}

/** completion prints the bash or zsh script; zsh runs the bash one through bashcompinit. */
function completion(program: Command, shell: string | undefined): number {
  if (shell !== 'bash' && shell !== 'zsh') {
    process.stderr.write(`reconciler completion: the shell must be bash or zsh, got '${shell}'\n`);
    return 1;
  }
  const table = completionTable(program);
  const cases = [...table]
    .map(([name, flags]) => `    ${name}) opts="${flags.join(' ')}" ;;`)
    .join('\n');
  const script = `_reconciler() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" opts
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${[...table.keys()].join(' ')} --help --version" -- "$cur") )
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
    *) opts="" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o filenames -F _reconciler reconciler
`;
  process.stdout.write(
    shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${script}` : script,
  );
  return 0;
}

/** normalizeArgs reads Terraform's single-dash `-out FILE` / `-out=FILE` as `--out` (never `-o ut`). */
export function normalizeArgs(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, index) => {
    if (end !== -1 && index > end) return arg;
    if (arg === '-out') return '--out';
    if (arg.startsWith('-out=')) return `--out=${arg.slice('-out='.length)}`;
    return arg;
  });
}

/** main dispatches to a command and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  // `reconciler plan | head` closes the pipe early: that is the reader's choice, not an error
  if (process.stdout.listenerCount('error') === 0) {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  let code = 0;
  const program = buildProgram((exitCode) => {
    code = exitCode;
  });
  try {
    await program.parseAsync(normalizeArgs(argv), { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // no command at all shows the help and fails, like other CLIs
      return err.code === 'commander.executeSubCommandAsync' ? 1 : err.exitCode;
    }
    throw err;
  }
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
