import type { BackoffOptions } from './backoff.ts';
import { DEFAULT_BACKOFF, KeyBackoff } from './backoff.ts';
import type { Clock, TimerHandle } from './clock.ts';

/** WorkResult is what a worker returns on success: optionally, when to run the key again. */
export interface WorkResult {
  requeueAfterMs?: number;
}

/**
 * TerminalError is thrown by a worker when retrying cannot help (invalid spec, access denied).
 * The key is not retried with backoff; it runs again only when added (its spec changed) or
 * after retryAfterMs (the next resync), when given.
 */
export class TerminalError extends Error {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TerminalError';
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** WorkQueueOptions configures a WorkQueue. */
export interface WorkQueueOptions {
  /** How many different keys may run at once. */
  concurrency: number;
  clock: Clock;
  backoff?: BackoffOptions;
  /** worker processes one key. Throwing means retry with per-key backoff, unless TerminalError. */
  worker: (key: string) => Promise<WorkResult>;
  /** onError is told about every failure (for logging); the queue itself already decided the retry. */
  onError?: (key: string, err: unknown, retryInMs: number | undefined) => void;
}

/**
 * WorkQueue runs keys with controller-runtime semantics: a key waiting to run is held once
 * however often it is added; a key is never run by two workers at once (added while running,
 * it runs once more afterwards); at most `concurrency` keys run together; a failed key is
 * retried after a per-key exponential backoff, reset by its next success.
 */
export class WorkQueue {
  readonly #options: WorkQueueOptions;
  readonly #backoff: KeyBackoff;
  readonly #ready: string[] = [];
  readonly #readySet = new Set<string>();
  readonly #running = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #timers = new Map<string, { at: number; handle: TimerHandle }>();
  readonly #idleWaiters: Array<() => void> = [];
  #stopped = false;

  constructor(options: WorkQueueOptions) {
    if (!(options.concurrency >= 1)) {
      throw new Error(`queue concurrency must be at least 1, got ${options.concurrency}`);
    }
    this.#options = options;
    this.#backoff = new KeyBackoff(options.backoff ?? DEFAULT_BACKOFF);
  }

  /** add puts key on the queue now (no-op if already waiting; run once more if running). */
  add(key: string): void {
    if (this.#stopped) return;
    this.#cancelTimer(key);
    if (this.#running.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (!this.#readySet.has(key)) {
      this.#readySet.add(key);
      this.#ready.push(key);
    }
    this.#pump();
  }

  /** addAfter adds key after delayMs, unless it is already due earlier. */
  addAfter(key: string, delayMs: number): void {
    if (this.#stopped) return;
    const at = this.#options.clock.now() + Math.max(0, delayMs);
    const existing = this.#timers.get(key);
    if (existing && existing.at <= at) return;
    this.#setTimer(key, at);
  }

  /** schedule sets the one next run of key to delayMs from now, replacing any earlier timer. */
  schedule(key: string, delayMs: number): void {
    if (this.#stopped) return;
    this.#setTimer(key, this.#options.clock.now() + Math.max(0, delayMs));
  }

  /** addRateLimited counts a failure of key and adds it after its backoff delay, which it returns. */
  addRateLimited(key: string): number {
    const delayMs = this.#backoff.next(key);
    this.schedule(key, delayMs);
    return delayMs;
  }

  /** forget resets the backoff of key and cancels its timer. */
  forget(key: string): void {
    this.#backoff.forget(key);
    this.#cancelTimer(key);
  }

  /** remove drops key entirely: waiting, scheduled and backoff (a stack deleted from the specs). */
  remove(key: string): void {
    this.forget(key);
    this.#dirty.delete(key);
    if (this.#readySet.delete(key)) this.#ready.splice(this.#ready.indexOf(key), 1);
  }

  /** failures returns the consecutive failures of key. */
  failures(key: string): number {
    return this.#backoff.failures(key);
  }

  /** depth counts keys waiting to run now (not running, not merely scheduled). */
  depth(): number {
    return this.#ready.length;
  }

  /** isRunning tells whether a worker is processing key. */
  isRunning(key: string): boolean {
    return this.#running.has(key);
  }

  /** nextRunAt returns when key will run next (now if waiting), or undefined if nothing is planned. */
  nextRunAt(key: string): number | undefined {
    if (this.#readySet.has(key) || this.#dirty.has(key)) return this.#options.clock.now();
    return this.#timers.get(key)?.at;
  }

  /** idle resolves when nothing is waiting or running (timers may still be set). */
  idle(): Promise<void> {
    if (this.#ready.length === 0 && this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** shutDown stops starting keys, cancels timers and resolves when the running keys finish. */
  shutDown(): Promise<void> {
    this.#stopped = true;
    for (const key of [...this.#timers.keys()]) this.#cancelTimer(key);
    this.#ready.length = 0;
    this.#readySet.clear();
    this.#dirty.clear();
    return this.idle();
  }

  #setTimer(key: string, at: number): void {
    this.#cancelTimer(key);
    const handle = this.#options.clock.setTimer(() => {
      this.#timers.delete(key);
      this.add(key);
    }, at - this.#options.clock.now());
    this.#timers.set(key, { at, handle });
  }

  #cancelTimer(key: string): void {
    const timer = this.#timers.get(key);
    if (!timer) return;
    this.#options.clock.clearTimer(timer.handle);
    this.#timers.delete(key);
  }

  #pump(): void {
    while (!this.#stopped && this.#running.size < this.#options.concurrency) {
      const key = this.#ready.shift();
      if (key === undefined) break;
      this.#readySet.delete(key);
      this.#running.add(key);
      void this.#run(key);
    }
    this.#notifyIdle();
  }

  async #run(key: string): Promise<void> {
    try {
      const result = await this.#options.worker(key);
      this.#backoff.forget(key);
      if (result.requeueAfterMs !== undefined) this.schedule(key, result.requeueAfterMs);
    } catch (err) {
      let retryInMs: number | undefined;
      if (err instanceof TerminalError) {
        this.#backoff.forget(key);
        retryInMs = err.retryAfterMs;
        if (retryInMs !== undefined) this.schedule(key, retryInMs);
      } else {
        retryInMs = this.#stopped ? undefined : this.addRateLimited(key);
      }
      this.#options.onError?.(key, err, retryInMs);
    } finally {
      this.#running.delete(key);
      if (this.#dirty.delete(key)) this.add(key);
      this.#pump();
    }
  }

  #notifyIdle(): void {
    if (this.#ready.length > 0 || this.#running.size > 0) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
