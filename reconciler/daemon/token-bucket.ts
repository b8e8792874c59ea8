import type { RequestLimiter } from '../aws/clients.ts';
import type { Clock, TimerHandle } from './clock.ts';

/** TokenBucketOptions: `ratePerSecond` tokens are added each second, up to `burst`. */
export interface TokenBucketOptions {
  ratePerSecond: number;
  burst?: number;
  clock: Clock;
}

/**
 * TokenBucket is the daemon's one global AWS request budget, shared by every stack and every
 * retry (it implements RequestLimiter, applied per HTTP attempt). When the budget is spent,
 * acquire() waits in FIFO order instead of failing, so a busy account slows down.
 */
export class TokenBucket implements RequestLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #updatedAt: number;
  #waiters: Array<() => void> = [];
  #timer: TimerHandle | undefined;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) {
      throw new Error(`token bucket rate must be positive, got ${options.ratePerSecond}`);
    }
    this.#rate = options.ratePerSecond;
    this.#burst = Math.max(1, options.burst ?? Math.ceil(options.ratePerSecond));
    this.#clock = options.clock;
    this.#tokens = this.#burst;
    this.#updatedAt = options.clock.now();
  }

  /** waiting counts callers blocked in acquire(). */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** available returns the whole tokens available now. */
  available(): number {
    this.#refill();
    return Math.floor(this.#tokens);
  }

  acquire(): Promise<void> {
    this.#refill();
    if (this.#waiters.length === 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#schedule();
    });
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsedMs = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsedMs * this.#rate) / 1000);
    this.#updatedAt = now;
  }

  #schedule(): void {
    if (this.#timer || this.#waiters.length === 0) return;
    const missing = Math.max(0, 1 - this.#tokens);
    const delayMs = Math.ceil((missing * 1000) / this.#rate);
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = undefined;
      this.#release();
    }, delayMs);
  }

  #release(): void {
    this.#refill();
    while (this.#waiters.length > 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      this.#waiters.shift()?.();
    }
    this.#schedule();
  }
}
