/** BackoffOptions: the first failure waits baseMs, each next one twice as long, never more than capMs. */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/** DEFAULT_BACKOFF is 5 s doubling up to 5 min, as controller-runtime's per-item limiter but slower (AWS calls are costly). */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5_000, capMs: 300_000 };

/**
 * KeyBackoff tracks consecutive failures per key. next() returns the delay before the
 * next retry and counts one more failure; forget() resets the key after a success.
 */
export class KeyBackoff {
  readonly #options: BackoffOptions;
  readonly #failures = new Map<string, number>();

  constructor(options: BackoffOptions = DEFAULT_BACKOFF) {
    this.#options = options;
  }

  /** next counts a failure of key and returns how long to wait before retrying it. */
  next(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    return backoffDelay(failures, this.#options);
  }

  /** failures returns how many consecutive failures key has had. */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** forget resets key, so its next failure waits baseMs again. */
  forget(key: string): void {
    this.#failures.delete(key);
  }
}

/** backoffDelay is baseMs * 2^failures, capped at capMs. */
export function backoffDelay(failures: number, options: BackoffOptions): number {
  const exponent = Math.min(failures, 30);
  return Math.min(options.capMs, options.baseMs * 2 ** exponent);
}

/** withJitter spreads delayMs by up to ±fraction, so stacks resynced together drift apart. */
export function withJitter(delayMs: number, fraction: number, random: () => number): number {
  const spread = delayMs * fraction;
  return Math.max(0, Math.round(delayMs - spread + random() * 2 * spread));
}
