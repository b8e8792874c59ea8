/**
 * `reconciler run`: the long-running daemon. Keeps every stack converged (spec changes, resync
 * for drift, requeue while resources are pending), serves /healthz /readyz /metrics /status, and
 * with --lease-table lets several replicas run while only one applies. SIGTERM or SIGINT stops
 * taking work, lets operations in flight finish, releases the lease and exits 0.
 */
import type { Daemon } from '../daemon/daemon.ts';
import { parseRunArgs, RUN_USAGE } from '../daemon/options.ts';
import { formatSpecError } from '../spec/errors.ts';
import { useColor } from './color.ts';
import { messageOf } from './command-error.ts';
import { checkCredentials } from './preflight.ts';

/**
 * missingSpecs says why the local spec paths cannot feed a daemon (a path that does not exist,
 * no spec file at all), or undefined. Invalid specs are no reason: /status reports them.
 */
export async function missingSpecs(paths: readonly string[]): Promise<string | undefined> {
  if (paths.length === 0) return undefined;
  // loaded only here: `run --help` does not compile the spec schema
  const { loadStacks } = await import('../spec/load-stacks.ts');
  const { stacks, errors } = await loadStacks([...paths]);
  const unreadable = errors.filter((error) => error.line === 0);
  if (unreadable.length > 0) return unreadable.map(formatSpecError).join('; ');
  if (stacks.length === 0 && errors.length === 0) {
    return `no spec files in ${paths.join(', ')} (a folder contributes its *.yaml and *.yml files)`;
  }
  return undefined;
}

/** startFailure is one line on why the daemon did not start: a busy --listen port names it. */
export function startFailure(err: unknown, listen: { host: string; port: number }): string {
  const failure = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = failure.code ?? failure.cause?.code;
  const address = `${listen.host}:${listen.port}`;
  if (code === 'EADDRINUSE') {
    return `--listen ${address} is already in use: stop what listens there, or pick another address (port 0 picks a free one)`;
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return `--listen ${address} cannot be used (${code}): pick another address`;
  }
  return `cannot start the daemon: ${messageOf(err)}`;
}

/** run is the `reconciler run` command; it resolves with the exit code once the daemon stopped. */
export async function run(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseRunArgs>;
  try {
    options = parseRunArgs(argv);
  } catch (err) {
    console.error(`reconciler run: ${(err as Error).message} (see reconciler run --help)`);
    return 1;
  }
  if (options === 'help') {
    console.log(RUN_USAGE);
    return 0;
  }
  const noSpecs = await missingSpecs(options.specPaths);
  if (noSpecs) {
    console.error(`reconciler run: ${noSpecs}`);
    return 1;
  }
  try {
    await checkCredentials(3);
  } catch (err) {
    console.error(`reconciler run: ${messageOf(err)}`);
    return 1;
  }
  // loaded only now, so `run --help` and flag errors do not load the AWS SDK
  const [{ default: pino }, { systemClock }, { startDaemon }, { reconcile }] = await Promise.all([
    import('pino'),
    import('../daemon/clock.ts'),
    import('../daemon/daemon.ts'),
    import('../engine/reconcile.ts'),
  ]);
  // JSON lines for log collectors; readable lines when a person watches a terminal
  const pretty = process.stdout.isTTY
    ? (await import('pino-pretty')).default({ colorize: useColor(undefined) })
    : undefined;
  const log = pino(
    {
      level: options.logLevel,
      base: { replica: options.replicaId },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pretty,
  );
  let daemon: Daemon;
  try {
    daemon = await startDaemon(options, { clock: systemClock(), log, reconcile });
  } catch (err) {
    console.error(`reconciler run: ${startFailure(err, options.listen)}`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      log.info({ signal }, 'signal received');
      void daemon.stop().then((code) => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        // whatever still holds the event loop (a stuck socket) must not outlive the bound
        setTimeout(() => process.exit(code), 2_000).unref();
        resolve(code);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
