/**
 * `reconciler run`: the long-running daemon. Keeps every stack converged (spec changes, resync
 * for drift, requeue while resources are pending), serves /healthz /readyz /metrics /status, and
 * with --lease-table lets several replicas run while only one applies. SIGTERM or SIGINT stops
 * taking work, lets operations in flight finish, releases the lease and exits 0.
 */
import type { Daemon } from '../daemon/daemon.ts';
import { parseRunArgs, RUN_USAGE } from '../daemon/options.ts';

/** run is the `reconciler run` command; it resolves with the exit code once the daemon stopped. */
export async function run(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseRunArgs>;
  try {
    options = parseRunArgs(argv);
  } catch (err) {
    console.error(`reconciler run: ${(err as Error).message}\n\n${RUN_USAGE}`);
    return 1;
  }
  if (options === 'help') {
    console.log(RUN_USAGE);
    return 0;
  }
  // loaded only now, so `run --help` and flag errors do not load the AWS SDK
  const [{ default: pino }, { systemClock }, { startDaemon }, { reconcile }] = await Promise.all([
    import('pino'),
    import('../daemon/clock.ts'),
    import('../daemon/daemon.ts'),
    import('../engine/reconcile.ts'),
  ]);
  const log = pino({
    level: options.logLevel,
    base: { replica: options.replicaId },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  let daemon: Daemon;
  try {
    daemon = await startDaemon(options, { clock: systemClock(), log, reconcile });
  } catch (err) {
    log.error({ err }, 'cannot start the daemon');
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
