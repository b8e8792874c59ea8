/**
 * The periodic retention job: every interval it deletes events older than RETENTION_DAYS in
 * small batches (see store/delete-expired.ts). stop() cancels between batches and waits.
 */
import type { Logger } from 'pino';
import type { Database } from './db.ts';
import { type DeleteResult, deleteExpired } from './store/delete-expired.ts';

/** RetentionJob is a running job. */
export interface RetentionJob {
  /** runNow runs one pass immediately (also used by tests and operators). */
  runNow(): Promise<DeleteResult>;
  stop(): Promise<void>;
}

/** startRetention schedules the job; the first run happens one minute after start. */
export function startRetention(options: {
  db: Database;
  logger: Logger;
  retentionDays: number;
  intervalSeconds: number;
  firstRunDelayMs?: number;
}): RetentionJob {
  const abort = new AbortController();
  let running: Promise<DeleteResult> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const runNow = (): Promise<DeleteResult> => {
    running ??= (async () => {
      const cutoff = new Date(Date.now() - options.retentionDays * 86_400_000);
      try {
        const result = await deleteExpired(options.db, cutoff, {
          pauseMs: 10,
          signal: abort.signal,
        });
        if (result.deleted > 0) {
          options.logger.info(
            { ...result, cutoff: cutoff.toISOString() },
            'retention removed expired events',
          );
        }
        return result;
      } finally {
        running = undefined;
      }
    })();
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
  schedule(options.firstRunDelayMs ?? 60_000);

  return {
    runNow,
    async stop() {
      abort.abort();
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
