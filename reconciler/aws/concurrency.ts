/** DEFAULT_SERVICE_CONCURRENCY is how many requests one service of one region gets in flight at once. */
export const DEFAULT_SERVICE_CONCURRENCY = 8;

/** THROTTLE_PAUSE_MS is the first pause after a throttling answer; it doubles while they go on. */
const THROTTLE_PAUSE_MS = 200;
const MAX_THROTTLE_PAUSE_MS = 10_000;

/** Sleep waits (injectable, so the pause is tested without waiting). */
export type Sleep = (ms: number) => Promise<void>;

const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Gate bounds the requests of one service: a counting semaphore with a shared throttling pause. */
class Gate {
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];
  #pausedUntil = 0;
  #pauseMs = 0;

  constructor(
    readonly limit: number,
    private readonly now: () => number,
    private readonly wait: Sleep,
  ) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  async acquire(): Promise<void> {
    if (this.#inFlight >= this.limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#inFlight += 1;
    }
    // a throttled service pauses every request that starts, not just the one that was throttled
    for (let pause = this.#pausedUntil - this.now(); pause > 0; ) {
      await this.wait(pause);
      pause = this.#pausedUntil - this.now();
    }
  }

  release(): void {
    const next = this.#waiting.shift();
    // the slot passes straight to the next waiter, so in-flight never exceeds the limit
    if (next) next();
    else this.#inFlight -= 1;
  }

  throttled(): void {
    this.#pauseMs = Math.min(
      MAX_THROTTLE_PAUSE_MS,
      this.#pauseMs ? this.#pauseMs * 2 : THROTTLE_PAUSE_MS,
    );
    // jitter keeps replicas and services that were throttled together from retrying together
    const pause = this.#pauseMs / 2 + Math.random() * (this.#pauseMs / 2);
    this.#pausedUntil = Math.max(this.#pausedUntil, this.now() + pause);
  }

  succeeded(): void {
    this.#pauseMs = 0;
  }
}

/**
 * ServiceLimits is the one concurrency bound of a process's AWS requests: every HTTP attempt of
 * every client (each kind's reads and writes, retries included) takes a slot of its service in
 * its region first, at most `limit` in flight per service. A throttling answer pauses that
 * service for everyone (a doubling pause with jitter, reset by the next success), so the kinds
 * back off together instead of each retrying into the same limit.
 */
export class ServiceLimits {
  readonly #gates = new Map<string, Gate>();

  constructor(
    readonly limit = DEFAULT_SERVICE_CONCURRENCY,
    private readonly now: () => number = Date.now,
    private readonly wait: Sleep = sleep,
  ) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new Error(`concurrency limit must be a positive integer, got ${limit}`);
    }
  }

  #gate(region: string, service: string): Gate {
    const key = `${region}/${service}`;
    let gate = this.#gates.get(key);
    if (!gate) {
      gate = new Gate(this.limit, this.now, this.wait);
      this.#gates.set(key, gate);
    }
    return gate;
  }

  /** run sends one request under the limit of its service; `isThrottling` tells a throttling failure. */
  async run<T>(
    region: string,
    service: string,
    send: () => Promise<T>,
    isThrottling: (err: unknown) => boolean,
  ): Promise<T> {
    const gate = this.#gate(region, service);
    await gate.acquire();
    try {
      const result = await send();
      gate.succeeded();
      return result;
    } catch (err) {
      if (isThrottling(err)) gate.throttled();
      throw err;
    } finally {
      gate.release();
    }
  }

  /** inFlight is the number of requests of one service in flight now. */
  inFlight(region: string, service: string): number {
    return this.#gates.get(`${region}/${service}`)?.inFlight ?? 0;
  }
}

let processLimits: ServiceLimits | undefined;

/** processServiceLimits is the limit clients share when they are given none. */
export function processServiceLimits(): ServiceLimits {
  processLimits ??= new ServiceLimits();
  return processLimits;
}
