/**
 * Probes. /healthz answers while the process runs. /readyz answers 200 only when the database
 * answers within 2 s and no migration is pending, and 503 while shutting down so the load
 * balancer stops sending traffic before the listener closes.
 */
import type { RequestHandler } from 'express';
import type { Database } from '../db.ts';

/** healthz builds the liveness handler. */
export function healthz(): RequestHandler {
  return (_req, res) => {
    res.json({ status: 'ok' });
  };
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** readyz builds the readiness handler. */
export function readyz(deps: { db: Database; isShuttingDown: () => boolean }): RequestHandler {
  let migrationsApplied = false;
  return async (_req, res) => {
    const unready = (reason: string) =>
      res.status(503).json({ error: { code: 'not_ready', message: reason, details: null } });
    if (deps.isShuttingDown()) return unready('the service is shutting down');
    try {
      await withTimeout(deps.db.query('select 1'), 2000, 'database ping');
      if (!migrationsApplied) {
        const pending = await withTimeout(deps.db.pendingMigrations(), 2000, 'migration check');
        if (pending.length > 0) return unready(`migrations pending: ${pending.join(', ')}`);
        migrationsApplied = true;
      }
    } catch (err) {
      return unready(`the database is not reachable: ${(err as Error).message}`);
    }
    res.json({ status: 'ready' });
  };
}
