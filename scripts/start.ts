/**
 * `npm start`: the whole system on this machine, nothing to configure.
 *
 * Local (the default): the local cloud (moto with this project's fixes, scripts/local/cloud.py,
 * on a free loopback port), the service on
 * the embedded PostgreSQL (or DATABASE_URL), the first plan of specs/, then the reconciler daemon
 * converging specs/ against the emulator, with its progress, until every stack is Ready; then
 * where the API answers and a curl to try it. Ctrl-C or SIGTERM stops everything.
 *
 * `--target aws`: only the daemon, against the account the environment's credentials reach.
 * With AWS credentials in the environment and no --target, it refuses to start.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clusterDirectory, runAsUser } from '../service/embedded-db-access.ts';
import { cloudCommand, findMotoPython, missingMotoMessage } from './local/local-cloud.ts';
import { freePort, preferredPort } from './local/ports.ts';
import { type ManagedProcess, spawnManaged } from './local/processes.ts';
import { DaemonProgress } from './local/progress.ts';
import { allReady, progressLine, readStatus } from './local/status.ts';
import { decideTarget, emulatorEnv, type Target } from './local/target.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** START_TIME is when npm start began, for the time to Ready it reports. */
const START_TIME = Date.now();

const SAMPLE_EVENT = '{"service":"checkout","level":"info","message":"hello"}';

const USAGE = `usage: npm start [-- options]

Runs the whole system locally: the local cloud (moto with this project's fixes), the
service on an embedded PostgreSQL, and the reconciler daemon converging specs/ on it.

options:
  --target local|aws  local (default without AWS credentials in the environment) or the real
                      AWS account (only the daemon; required when credentials are set)
  --specs DIR         the stack specs to converge (default specs/)
  --port N            the service's port (default 3000, or a free port when 3000 is taken)
  --status-port N     the daemon's status port (default 9464, or a free port)
  --verbose           also print every line the emulator, service and daemon log
  --log-dir DIR       where each process's log goes (default .data/logs)
  -h, --help          this help

Logs of each process: .data/logs/. Stop with Ctrl-C.`;

interface Options {
  target: string | undefined;
  specs: string;
  port: number | undefined;
  statusPort: number | undefined;
  verbose: boolean;
  logDir: string;
}

// The daemon finishes the operations in flight for up to 30 s (its --shutdown-timeout).
const GRACE_MS: Record<string, number> = { reconciler: 35_000, service: 15_000, moto: 5_000 };
const FIRST_TO_STOP = new Set(['reconciler', 'plan', 'validate']);

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const bold = (text: string) => paint('1', text);
const dim = (text: string) => paint('2', text);
const green = (text: string) => paint('32', text);
const red = (text: string) => paint('31', text);

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function complain(line: string): void {
  process.stderr.write(`${line}\n`);
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** StartAborted ends the start sequence once a shutdown began; it is not an error to report. */
class StartAborted extends Error {}

/**
 * Supervisor owns every child: a child that exits on its own stops the rest and fails the run;
 * a signal stops them all (the reconciler first); a second signal kills them at once.
 */
class Supervisor {
  readonly children: ManagedProcess[] = [];
  readonly logDir: string;
  #stopping = false;
  #resolveDone: (code: number) => void = () => {};
  readonly done = new Promise<number>((resolveDone) => {
    this.#resolveDone = resolveDone;
  });

  constructor(logDir: string) {
    this.logDir = logDir;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** check throws StartAborted when a shutdown has begun, so the start sequence unwinds. */
  check(): void {
    if (this.#stopping) throw new StartAborted('stopping');
  }

  /** start spawns a supervised child; its unexpected exit shuts everything down. */
  start(options: {
    name: string;
    args: string[];
    command?: string;
    env: NodeJS.ProcessEnv;
    onLine?: (line: string) => void;
    /** oneShot: exiting is its job (the plan); only a failure is reported. */
    oneShot?: boolean;
    signalGroup?: boolean;
  }): ManagedProcess {
    this.check();
    const child = spawnManaged({
      name: options.name,
      command: options.command ?? process.execPath,
      args: options.args,
      env: options.env,
      cwd: root,
      logFile: join(this.logDir, `${options.name}.log`),
      ...(options.onLine ? { onLine: options.onLine } : {}),
      signalGroup: options.signalGroup ?? false,
    });
    this.children.push(child);
    child.exited.then((exit) => {
      if (this.#stopping || options.oneShot) return;
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      complain(red(`\n${child.name} exited unexpectedly (${how}). Its last output:`));
      complain(child.tail() || '(no output)');
      complain(dim(`full log: ${relative(root, join(this.logDir, `${child.name}.log`))}`));
      void this.shutdown(1);
    });
    return child;
  }

  /** shutdown stops every child (the reconciler, then the rest) and settles `done` with the exit code. */
  async shutdown(code: number): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const running = this.children.filter((child) => child.running());
    if (running.length > 0) {
      say(dim(`stopping ${running.map((child) => child.name).join(', ')}...`));
    }
    // The reconciler first (no AWS call after the emulator is gone), then the rest together.
    const first = this.children.filter((child) => FIRST_TO_STOP.has(child.name));
    const rest = this.children.filter((child) => !FIRST_TO_STOP.has(child.name));
    for (const group of [first, rest]) {
      await Promise.all(group.map((child) => child.stop(GRACE_MS[child.name] ?? 5_000)));
    }
    this.#resolveDone(code);
  }

  /** killAll is the second Ctrl-C: every process group gets SIGKILL now. */
  killAll(): void {
    for (const child of this.children) child.kill();
    this.#resolveDone(1);
  }
}

function parseOptions(argv: string[]): Options | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      specs: { type: 'string', default: 'specs/' },
      port: { type: 'string' },
      'status-port': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      'log-dir': { type: 'string', default: '.data/logs' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`);
  const port = (name: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      throw new Error(`${name} must be a port number, got '${raw}'`);
    }
    return value;
  };
  return {
    target: values.target,
    specs: values.specs ?? 'specs/',
    port: port('--port', values.port),
    statusPort: port('--status-port', values['status-port']),
    verbose: values.verbose ?? false,
    logDir: resolve(root, values['log-dir'] ?? '.data/logs'),
  };
}

/** waitHttp polls url until ok(response) or the child exits, the start is aborted, or time runs out. */
async function waitHttp(
  supervisor: Supervisor,
  child: ManagedProcess,
  url: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    supervisor.check();
    if (!child.running()) throw new StartAborted(`${child.name} exited`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${child.name} did not answer ${url} within ${Math.round(timeoutMs / 1000)} s`);
}

/** dataLocation is where the service keeps the embedded cluster of dataDir (see embedded-db-access.ts). */
function dataLocation(dataDir: string): string {
  const wanted = resolve(root, dataDir);
  try {
    const found = clusterDirectory(wanted, runAsUser());
    return found === wanted ? dataDir : `${found} (its user cannot reach ${dataDir})`;
  } catch {
    return dataDir;
  }
}

function printLines(prefix: string): (line: string) => void {
  return (line) => say(`${prefix}${line}`);
}

/**
 * validateSpecs checks the specs while the emulator and the service start (it needs neither),
 * so an invalid spec stops everything within seconds, with its file:line:col errors.
 */
async function validateSpecs(supervisor: Supervisor, options: Options, env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const validate = supervisor.start({
    name: 'validate',
    args: ['--import', 'tsx', 'reconciler/cli.ts', 'validate', options.specs],
    env,
    onLine: (line) => lines.push(line),
    oneShot: true,
  });
  const exit = await validate.exited;
  supervisor.check();
  if (exit.code !== 0) {
    for (const line of lines) complain(`  ${line}`);
    throw new Error(`the specs in ${options.specs} are invalid (reconciler validate)`);
  }
}

/**
 * startPlan runs `reconciler plan` and collects its output; printPlan shows it once it is done.
 * Exit codes 0 (no changes) and 2 (changes) are both fine.
 */
function startPlan(supervisor: Supervisor, options: Options, env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const plan = supervisor.start({
    name: 'plan',
    args: ['--import', 'tsx', 'reconciler/cli.ts', 'plan', options.specs, '--detailed-exitcode'],
    env,
    onLine: (line) => lines.push(line),
    oneShot: true,
  });
  return { plan, lines };
}

async function printPlan(
  supervisor: Supervisor,
  options: Options,
  started: ReturnType<typeof startPlan>,
): Promise<void> {
  const exit = await started.plan.exited;
  supervisor.check();
  say(bold(`Plan of ${options.specs}:`));
  for (const line of started.lines) say(`  ${line}`);
  if (exit.code !== 0 && exit.code !== 2) {
    throw new Error(`reconciler plan ${options.specs} failed (exit code ${exit.code})`);
  }
}

/**
 * startDaemon runs `reconciler run` and follows its /status for as long as it runs, printing a
 * line whenever a stack's state changes; it resolves the first time every stack is Ready.
 */
async function startDaemon(
  supervisor: Supervisor,
  options: Options,
  env: NodeJS.ProcessEnv,
  extraArgs: string[],
): Promise<{ statusUrl: string; seconds: number }> {
  const statusPort = options.statusPort ?? (await preferredPort(9464));
  const statusUrl = `http://127.0.0.1:${statusPort}`;
  say();
  say(
    `${bold(`Converging ${options.specs}`)}${dim(` (reconciler daemon, status at ${statusUrl}/status)`)}`,
  );
  const started = Date.now();
  const progress = new DaemonProgress();
  const daemon = supervisor.start({
    name: 'reconciler',
    args: [
      '--import',
      'tsx',
      'reconciler/cli.ts',
      'run',
      options.specs,
      '--listen',
      `127.0.0.1:${statusPort}`,
      ...extraArgs,
    ],
    env,
    onLine: (line) => {
      if (options.verbose) say(dim(`  [reconciler] ${line}`));
      else for (const shown of progress.line(line)) say(`  ${shown}`);
    },
  });
  // long operations and pending resources get a `still ...` line every 10 s
  const ticker = setInterval(() => {
    if (options.verbose || supervisor.stopping) return;
    for (const shown of progress.tick()) say(`  ${dim(shown)}`);
  }, 1000);
  ticker.unref();
  void daemon.exited.then(() => clearInterval(ticker));
  return new Promise((resolveReady, rejectReady) => {
    let ready = false;
    const lastLines = new Map<string, string>();
    const follow = async () => {
      while (!supervisor.stopping && daemon.running()) {
        try {
          const response = await fetch(`${statusUrl}/status`, {
            signal: AbortSignal.timeout(2000),
          });
          if (response.ok) {
            const stacks = readStatus(await response.json());
            for (const stack of stacks) {
              const line = progressLine(stack);
              if (lastLines.get(stack.name) === line) continue;
              lastLines.set(stack.name, line);
              if (!supervisor.stopping)
                say(`  ${stack.ready?.status === 'True' ? green(line) : line}`);
            }
            if (!ready && allReady(stacks)) {
              ready = true;
              resolveReady({ statusUrl, seconds: (Date.now() - started) / 1000 });
            }
          } else {
            await response.body?.cancel();
          }
        } catch {
          // the listener is not up yet, or is going away
        }
        await sleep(ready ? 2000 : 500);
      }
      if (!ready) rejectReady(new StartAborted('reconciler stopped'));
    };
    void follow();
  });
}

async function runLocal(
  supervisor: Supervisor,
  options: Options,
  ignored: string[],
): Promise<void> {
  if (ignored.length > 0) {
    say(dim(`--target local: ignoring ${ignored.join(', ')} from the environment`));
  }
  const python = findMotoPython(process.env);
  const problem = missingMotoMessage(python);
  if (problem || !python) {
    complain(red('The AWS emulator npm start runs everything on is missing.'));
    complain(`${problem ?? ''}\nthen run npm start again.`);
    await supervisor.shutdown(1);
    return;
  }
  say(bold('Starting the local system') + dim(' (nothing here talks to real AWS)'));
  const motoPort = await freePort();
  const endpoint = `http://127.0.0.1:${motoPort}`;
  const awsEnv = emulatorEnv(process.env, endpoint);
  const cloud = cloudCommand(python, { port: motoPort, env: awsEnv });
  const motoChild = supervisor.start({
    name: 'moto',
    command: cloud.command,
    args: cloud.args,
    env: cloud.env,
    signalGroup: true,
    ...(options.verbose ? { onLine: printLines(dim('  [moto] ')) } : {}),
  });

  const servicePort = options.port ?? (await preferredPort(Number(process.env.PORT) || 3000));
  const databaseUrl = process.env.DATABASE_URL?.trim();
  const serviceEnv: NodeJS.ProcessEnv = { ...awsEnv, PORT: String(servicePort) };
  if (!databaseUrl && !process.env.EMBEDDED_PG_PORT) {
    serviceEnv.EMBEDDED_PG_PORT = String(await preferredPort(5488));
  }
  const dataDir = process.env.DATA_DIR?.trim() || '.data/postgres';
  const serviceChild = supervisor.start({
    name: 'service',
    args: ['--import', 'tsx', 'service/main.ts'],
    env: serviceEnv,
    ...(options.verbose ? { onLine: printLines(dim('  [service] ')) } : {}),
  });
  await validateSpecs(supervisor, options, awsEnv);

  await waitHttp(supervisor, motoChild, `${endpoint}/moto-api/`, 60_000);
  say(`  ${green('✓')} local cloud (moto with fixes, docs/local.md) at ${endpoint}`);
  // The plan needs only the emulator: it runs while the service is still starting.
  const plan = startPlan(supervisor, options, awsEnv);
  await waitHttp(supervisor, serviceChild, `http://127.0.0.1:${servicePort}/healthz`, 180_000);
  const database = databaseUrl
    ? `DATABASE_URL ${new URL(databaseUrl).host}`
    : `embedded PostgreSQL, data in ${dataLocation(dataDir)}`;
  say(`  ${green('✓')} service at http://127.0.0.1:${servicePort} (${database})`);
  say();

  await printPlan(supervisor, options, plan);
  // The emulator's states are instant and its request budget is this machine: re-check pending
  // resources after 2 s instead of AWS's 15 s, and allow more requests per second.
  const { statusUrl, seconds } = await startDaemon(supervisor, options, awsEnv, [
    '--pending-requeue',
    '2s',
    '--aws-rps',
    '50',
  ]);
  const api = `http://127.0.0.1:${servicePort}`;
  say();
  const total = (Date.now() - START_TIME) / 1000;
  say(
    green(
      bold(
        `Ready: ${options.specs} converged on the local cloud in ${seconds.toFixed(1)} s (${total.toFixed(1)} s after npm start).`,
      ),
    ),
  );
  say();
  say(`  API              ${api}   (GET /healthz)`);
  say(`  status page      ${statusUrl}/   (the daemon's stacks, resources, drift and history)`);
  say(`  local cloud      ${endpoint}   (AWS_ENDPOINT_URL=${endpoint} aws ec2 describe-vpcs)`);
  say(`  reconciler       ${statusUrl}/status`);
  say(`  logs             ${relative(root, supervisor.logDir)}/`);
  say();
  say('Send a log event:');
  say();
  say(`  curl -sS -X POST ${api}/v1/logs -H 'content-type: application/json' -d '${SAMPLE_EVENT}'`);
  say();
  say(dim('The daemon keeps converging: edit a spec and watch it here. Ctrl-C stops everything.'));
}

/** apiUrls are the stacks' load balancer URLs, from the outputs the daemon serves in /status. */
async function apiUrls(statusUrl: string): Promise<{ stack: string; url: string }[]> {
  try {
    const response = await fetch(`${statusUrl}/status`, { signal: AbortSignal.timeout(5_000) });
    const body = (await response.json()) as {
      stacks?: { name: string; outputs?: { loadBalancerUrl?: string } }[];
    };
    return (body.stacks ?? []).flatMap((stack) =>
      stack.outputs?.loadBalancerUrl
        ? [{ stack: stack.name, url: stack.outputs.loadBalancerUrl }]
        : [],
    );
  } catch {
    return [];
  }
}

async function runAws(supervisor: Supervisor, options: Options): Promise<void> {
  say(bold('Target: the real AWS account of the current credentials') + dim(' (--target aws)'));
  say(dim('Only the reconciler daemon runs; no emulator and no local service.'));
  say();
  await printPlan(supervisor, options, startPlan(supervisor, options, process.env));
  const { statusUrl, seconds } = await startDaemon(supervisor, options, process.env, []);
  say();
  say(green(bold(`Ready: ${options.specs} converged in ${seconds.toFixed(1)} s.`)));
  for (const { stack, url } of await apiUrls(statusUrl)) {
    say(
      `  API (${stack})${' '.repeat(Math.max(1, 11 - stack.length))}${url}   (the stack's load balancer)`,
    );
  }
  say(`  status page      ${statusUrl}/`);
  say(`  reconciler       ${statusUrl}/status`);
  say(
    dim('The daemon keeps converging and correcting drift. Ctrl-C stops it (AWS resources stay).'),
  );
}

/** main runs npm start and resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(argv);
  } catch (err) {
    complain(`npm start: ${(err as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (options === 'help') {
    say(USAGE);
    return 0;
  }
  const decision = decideTarget(options.target, process.env);
  if ('refusal' in decision) {
    complain(decision.refusal);
    return 1;
  }
  const target: Target = decision.target;
  mkdirSync(options.logDir, { recursive: true });
  const supervisor = new Supervisor(options.logDir);
  // Under `npm start` one Ctrl-C can arrive twice (from the terminal, and forwarded by npm):
  // only a signal more than a second after the first one forces the stop.
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      say(dim(`\n${signal}: shutting down (again to force)`));
      void supervisor.shutdown(0);
    } else if (Date.now() - firstSignalAt > 1000) {
      say(dim(`${signal}: killing everything now`));
      supervisor.killAll();
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // Output piped into a program that quit (`npm start | head`): stop cleanly rather than crash.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => void supervisor.shutdown(0));
  }
  // A bug here must not orphan the children, which live in their own process groups.
  process.on('uncaughtException', (err) => {
    process.stderr.write(`npm start crashed: ${err.stack ?? err.message}\n`);
    supervisor.killAll();
    process.exit(1);
  });
  try {
    if (target === 'local') await runLocal(supervisor, options, decision.ignored);
    else await runAws(supervisor, options);
  } catch (err) {
    if (!(err instanceof StartAborted)) {
      complain(red(`npm start failed: ${(err as Error).message}`));
      void supervisor.shutdown(1);
    }
  }
  return supervisor.done;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    complain(
      `npm start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    process.exit(1);
  },
);
