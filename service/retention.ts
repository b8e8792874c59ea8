/**
 * The periodic partition job: every interval it makes the partitions of the coming periods
 * (so ingestion rarely has to) and drops the partitions that ended RETENTION_DAYS ago or
 * earlier (see store/partitions.ts), whole, without deleting rows. One service instance runs a
 * pass at a time (an advisory lock); stop() waits for a running pass.
 */
import type { Logger } from 'pino';
import type { Database } from './db.ts';
import { RetentionPolicyEntity } from './entities/retention-policy.ts';
import { pruneClientIds } from './store/client-ids.ts';
import { type DropResult, dropExpired, ensureAhead } from './store/partitions.ts';

/** aheadPeriods is how many periods after the current one always have a partition. */
export const aheadPeriods = 3;

/** RetentionResult reports one pass. */
export interface RetentionResult extends DropResult {
  created: string[];
  clientIdsPruned: number;
}

/** RetentionJob is a running job. */
export interface RetentionJob {
  /** runNow runs one pass immediately (also used by tests and operators). */
  runNow(): Promise<RetentionResult>;
  stop(): Promise<void>;
}

/** runRetention is one pass: partitions ahead of now made, expired ones dropped. */
export function runRetention(
  db: Database,
  options: { retentionDays: number; now?: number; signal?: AbortSignal },
): Promise<RetentionResult> {
  const now = options.now ?? Date.now();
  const cutoff = new Date(now - options.retentionDays * 86_400_000);
  return db.withLock('log-service:retention', async () => {
    const created = await ensureAhead(db, now, db.partitionInterval, aheadPeriods);
    const dropped = await dropExpired(db, cutoff);
    const clientIdsPruned = await pruneClientIds(db, cutoff, { signal: options.signal });
    await db.orm.em.fork().upsert(RetentionPolicyEntity, {
      name: 'log_event',
      retentionDays: options.retentionDays,
      partitionInterval: db.partitionInterval,
      aheadPeriods,
      lastRunAt: new Date(now),
      lastDropped: dropped.dropped,
    });
    return { created, ...dropped, clientIdsPruned };
  });
}

/** startRetention runs a pass at once (partitions ahead) and then every interval. */
export function startRetention(options: {
  db: Database;
  logger: Logger;
  retentionDays: number;
  intervalSeconds: number;
  firstRunDelayMs?: number;
}): RetentionJob {
  const abort = new AbortController();
  let running: Promise<RetentionResult> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const runNow = (): Promise<RetentionResult> => {
    running ??= runRetention(options.db, {
      retentionDays: options.retentionDays,
      signal: abort.signal,
    })
      .then((result) => {
        if (result.created.length > 0 || result.dropped.length > 0) {
          options.logger.info(result, 'retention pass changed partitions');
        }
        return result;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      runNow()
        .catch((err: unknown) => options.logger.warn({ err }, 'retention run failed'))
        .finally(() => {
          if (!abort.signal.aborted) schedule(options.intervalSeconds * 1000);
        });
    }, delayMs);
    timer.unref();
  };
  schedule(options.firstRunDelayMs ?? 0);

  return {
    runNow,
    async stop() {
      abort.abort();
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
