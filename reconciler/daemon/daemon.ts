import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { type AwsClients, CallStats, createClients, sharedCredentials } from '../aws/clients.ts';
import { errorCode } from '../aws/errors.ts';
import type { Logger } from '../resources/types.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { Controller, type ReconcileFn } from './controller.ts';
import { GitSource } from './git-source.ts';
import { type StatusServer, startStatusServer } from './http.ts';
import { DynamoLease, runLeaseLoop } from './lease.ts';
import { DaemonMetrics } from './metrics.ts';
import type { DaemonOptions } from './options.ts';
import { DirectorySource, type SpecSource } from './sources.ts';
import { StackLeases } from './stack-leases.ts';
import { TokenBucket } from './token-bucket.ts';

/** DaemonDeps are the parts tests or the command inject. */
export interface DaemonDeps {
  clock: Clock;
  log: Logger;
  reconcile: ReconcileFn;
}

/** Daemon is a running `reconciler run`. */
export interface Daemon {
  /** url of the status listener. */
  readonly url: string;
  readonly controller: Controller;
  /** stop shuts down gracefully and returns the exit code: 0, or 1 if operations outlived the timeout. */
  stop(): Promise<number>;
}

const AWS_PROBE_MS = 60_000;

function timeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref()),
  ]);
}

/**
 * startDaemon wires the daemon: one global request budget (token bucket) under every AWS
 * client, the lease (or a single-replica warning), the controller, the spec source and the
 * status listener. The lease and the AWS probe use clients outside the budget, so a saturated
 * budget never starves lease renewal.
 */
export async function startDaemon(options: DaemonOptions, deps: DaemonDeps): Promise<Daemon> {
  const { clock, log } = deps;
  const metrics = new DaemonMetrics();
  const stats = new CallStats();
  metrics.observeCalls(stats);
  const limiter = new TokenBucket({
    ratePerSecond: options.awsRps,
    burst: options.awsBurst,
    clock,
  });
  // one credential lookup and refresh for every region's clients and the lease's
  const credentials = sharedCredentials();
  const clientsByRegion = new Map<string, AwsClients>();
  const clientsFor = (region: string): AwsClients => {
    let clients = clientsByRegion.get(region);
    if (!clients) {
      clients = createClients({ region, stats, limiter, credentials });
      clientsByRegion.set(region, clients);
    }
    return clients;
  };
  const controlClients = createClients({ region: options.region, stats, credentials });

  let leader = true;
  const leaseOptions = options.lease && {
    client: controlClients.dynamodb,
    table: options.lease.table,
    name: options.lease.name,
    holder: options.replicaId,
    ttlMs: options.lease.ttlMs,
    clock,
    log,
  };
  const shared = leaseOptions && options.lease?.shared ? new StackLeases(leaseOptions) : undefined;
  const lease = leaseOptions && !shared ? new DynamoLease(leaseOptions) : undefined;
  if (shared && leaseOptions) {
    // the single lease's table code creates the table; its item is never written in this mode
    await new DynamoLease(leaseOptions).ensureTable();
  } else if (lease) {
    await lease.ensureTable();
    try {
      leader = await lease.tryAcquire();
    } catch (err) {
      log.warn({ err }, 'first lease attempt failed; retrying');
      leader = false;
    }
  } else {
    log.warn(
      {},
      'no --lease-table: running as the only replica; a second daemon on the same stacks would also apply',
    );
  }

  const controller = new Controller({
    clock,
    log,
    metrics,
    reconcile: deps.reconcile,
    clientsFor,
    stats,
    limiter,
    concurrency: options.concurrency,
    parallelism: options.parallelism,
    resyncMs: options.resyncMs,
    resyncTogether: true,
    pendingRequeueMs: options.pendingRequeueMs,
    observeOnly: options.observeOnly,
    backoff: { baseMs: options.backoffBaseMs, capMs: options.backoffCapMs },
    fence: shared
      ? (stack) => shared.checkFence(stack)
      : lease
        ? () => lease.checkFence()
        : undefined,
    shared: shared !== undefined,
    leader,
  });
  controller.start();

  const updateLeaseCheck = (): void => {
    if (shared) {
      controller.setCheck(
        'lease',
        shared.known,
        shared.known
          ? `holds ${shared.owned().size} of ${controller.validStacks().length} stacks, ${shared.liveReplicas().length} live replicas`
          : 'stack leases not read yet',
      );
      return;
    }
    if (!lease) {
      controller.setCheck('lease', true, 'no lease: single replica');
      return;
    }
    const state = lease.state();
    controller.setCheck(
      'lease',
      state.known,
      state.known
        ? state.held
          ? `held, token ${state.token}`
          : `standby, held by ${state.holder} until ${new Date(state.expiresAt ?? 0).toISOString()}`
        : 'lease not read yet',
    );
  };
  updateLeaseCheck();
  const leaseLoop = lease
    ? runLeaseLoop({
        lease,
        clock,
        log,
        intervalMs: Math.floor((options.lease?.ttlMs ?? 15_000) / 3),
        onChange: (held) => {
          controller.setLeader(held);
          updateLeaseCheck();
        },
      })
    : undefined;
  let leaseRefresh: TimerHandle | undefined;
  let shareRound: TimerHandle | undefined;
  let rounding: Promise<void> | undefined;
  let stopped = false;
  const runShareRound = (): Promise<void> => {
    const leases = shared;
    if (!leases || stopped) return Promise.resolve();
    rounding ??= leases
      .round(controller.validStacks(), controller.running())
      .catch((err: unknown) => log.warn({ err }, 'stack lease round failed'))
      .finally(() => {
        rounding = undefined;
        if (!stopped) controller.setOwned(leases.owned());
        updateLeaseCheck();
      });
    return rounding;
  };
  if (shared) {
    const every = Math.floor((options.lease?.ttlMs ?? 15_000) / 3);
    const next = (): void => {
      shareRound = clock.setTimer(() => {
        void runShareRound();
        next();
      }, every);
    };
    next();
  }
  if (lease || shared) {
    // keep the readiness message current, and drop stacks whose lease lapsed unrenewed
    const refresh = (): void => {
      if (shared && !stopped) controller.setOwned(shared.owned());
      updateLeaseCheck();
      leaseRefresh = clock.setTimer(refresh, 1_000);
    };
    leaseRefresh = clock.setTimer(refresh, 1_000);
  }

  let awsProbe: TimerHandle | undefined;
  const probeAws = async (): Promise<void> => {
    try {
      const identity = await controlClients.sts.send(new GetCallerIdentityCommand({}));
      controller.setCheck('aws', true, `reachable as account ${identity.Account ?? 'unknown'}`);
    } catch (err) {
      controller.setCheck('aws', false, `GetCallerIdentity failed: ${errorCode(err) ?? err}`);
    }
    awsProbe = clock.setTimer(() => void probeAws(), AWS_PROBE_MS);
  };
  controller.setCheck('aws', false, 'not probed yet');
  await probeAws();

  const source: SpecSource = options.git
    ? new GitSource({ ...options.git, clock, log })
    : new DirectorySource({ paths: options.specPaths, clock, log, pollMs: options.watchPollMs });

  const server: StatusServer = await startStatusServer(
    {
      log,
      healthz: () => controller.liveness(),
      readyz: () => controller.readiness(),
      metrics: async () => {
        metrics.queueDepth.set(controller.queueDepth());
        return { contentType: metrics.contentType, body: await metrics.render() };
      },
      subscribe: (listener) => controller.subscribe(listener),
      status: () => {
        const state = lease?.state();
        const stacks = controller.stacks();
        return {
          replica: {
            id: options.replicaId,
            leader: controller.leader,
            observeOnly: options.observeOnly,
            shared:
              shared && options.lease
                ? {
                    table: options.lease.table,
                    name: options.lease.name,
                    replicas: shared.liveReplicas(),
                    holds: [...shared.owned()].sort(),
                  }
                : null,
            lease:
              lease && state && options.lease
                ? {
                    table: options.lease.table,
                    name: options.lease.name,
                    held: state.held,
                    holder: state.holder,
                    token: state.token,
                    expiresAt:
                      state.expiresAt === undefined
                        ? undefined
                        : new Date(state.expiresAt).toISOString(),
                  }
                : null,
          },
          source: { description: source.description, ...source.health() },
          ready: controller.readiness(),
          // with shared stacks only the holder's entry is current: another replica's is what
          // it saw while it last held the stack (or NotObserved)
          stacks: shared
            ? stacks.map((stack) => {
                const owner = shared?.ownerOf(stack.name) ?? null;
                return { ...stack, owner, current: owner?.holder === options.replicaId };
              })
            : stacks,
        };
      },
    },
    options.listen,
  );

  log.info(
    {
      url: server.url,
      source: source.description,
      replica: options.replicaId,
      leader,
      lease: options.lease ?? null,
      resyncMs: options.resyncMs,
      concurrency: options.concurrency,
      awsRps: options.awsRps,
      observeOnly: options.observeOnly,
    },
    'daemon started',
  );
  log.info({ url: `${server.url}/` }, `status page at ${server.url}/ (read-only)`);
  await source.start((snapshot) => controller.setSpecs(snapshot));
  await runShareRound();

  let stopping: Promise<number> | undefined;
  return {
    url: server.url,
    controller,
    stop() {
      stopping ??= (async () => {
        log.info(
          { timeoutMs: options.shutdownTimeoutMs },
          'shutting down: finishing operations in flight',
        );
        source.stop();
        stopped = true;
        if (shareRound) clock.clearTimer(shareRound);
        leaseLoop?.stop();
        if (leaseRefresh) clock.clearTimer(leaseRefresh);
        if (awsProbe) clock.clearTimer(awsProbe);
        const finished = await controller.stop(options.shutdownTimeoutMs);
        if (!finished) log.error({}, 'operations still running at the shutdown timeout');
        if (shared) {
          await timeout(rounding ?? Promise.resolve(), 5_000, undefined);
          await timeout(
            shared
              .releaseAll()
              .catch((err: unknown) => log.warn({ err }, 'cannot release stack leases')),
            5_000,
            undefined,
          );
        }
        if (lease) {
          await timeout(
            lease.release().catch((err: unknown) => log.warn({ err }, 'cannot release lease')),
            5_000,
            undefined,
          );
        }
        await server.close();
        for (const clients of clientsByRegion.values()) clients.destroy();
        controlClients.destroy();
        log.info({ finished }, 'stopped');
        return finished ? 0 : 1;
      })();
      return stopping;
    },
  };
}
