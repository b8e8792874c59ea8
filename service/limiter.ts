/**
 * A cap on in-flight database work at the pool size, with a bounded queue behind it. Letting
 * more requests than connections reach the pool only moves the queue into the pool and halves
 * throughput; beyond the bounded queue the service sheds load with 429 at once.
 */
import { HttpError } from './errors.ts';

/** Limiter runs work with at most maxInFlight at a time and at most queueLimit waiting. */
export class Limiter {
  readonly maxInFlight: number;
  readonly queueLimit: number;
  inFlight = 0;
  shed = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(maxInFlight: number, queueLimit: number) {
    this.maxInFlight = maxInFlight;
    this.queueLimit = queueLimit;
  }

  /** queued is the number of callers waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** run waits for a slot (or throws a 429 HttpError when the queue is full) and runs work. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** acquire takes a slot; callers must release() it. */
  acquire(): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.queueLimit) {
      this.shed++;
      return Promise.reject(
        new HttpError(429, 'overloaded', 'the server is at capacity; retry later', {
          headers: { 'Retry-After': '1' },
          details: { inFlight: this.inFlight, queued: this.waiting.length },
        }),
      );
    }
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.inFlight++;
        resolve();
      });
    });
  }

  /** release frees a slot and hands it to the oldest waiter. */
  release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }
}
