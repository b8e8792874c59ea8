/** TimerHandle is what setTimer returns; pass it to clearTimer to cancel. */
export interface TimerHandle {
  readonly id: number;
}

/**
 * Clock is the daemon's only source of time. Every timer and every "now" goes through it,
 * so tests drive the queue, backoff and token bucket with a FakeClock instead of sleeping.
 */
export interface Clock {
  /** now returns milliseconds since the epoch. */
  now(): number;
  /** setTimer calls fn once after delayMs. Real timers are unref'd: they never keep the process alive. */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** systemClock is the Clock backed by Date.now and setTimeout. */
export function systemClock(): Clock {
  let nextId = 1;
  const timers = new Map<number, NodeJS.Timeout>();
  return {
    now: () => Date.now(),
    setTimer(fn, delayMs) {
      const id = nextId++;
      const timeout = setTimeout(
        () => {
          timers.delete(id);
          fn();
        },
        Math.max(0, delayMs),
      );
      timeout.unref();
      timers.set(id, timeout);
      return { id };
    },
    clearTimer(handle) {
      const timeout = timers.get(handle.id);
      if (timeout) clearTimeout(timeout);
      timers.delete(handle.id);
    },
  };
}

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** FakeClock is a Clock for tests: time only moves when advance() is called. */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: FakeTimer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, delayMs), fn };
    this.#timers.push(timer);
    return { id: timer.id };
  }

  clearTimer(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle.id);
  }

  /** pendingTimers counts timers not yet fired. */
  pendingTimers(): number {
    return this.#timers.length;
  }

  /**
   * advance moves time forward by ms, firing due timers in time order and letting
   * promise callbacks run between them, so async work started by a timer completes.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flushPromises();
      const due = this.#timers
        .filter((timer) => timer.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((timer) => timer.id !== due.id);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = target;
    await flushPromises();
  }
}

/** flushPromises lets every queued promise callback (and chains of them) run. */
export async function flushPromises(): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
