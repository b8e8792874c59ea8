/**
 * LatencyHistogram counts latencies in logarithmic bins 1% wide, so a run of millions of
 * requests keeps a few kilobytes per stage and per second of the timeline, and any percentile is
 * within 1% of the exact value (never below it, never above the largest value recorded).
 */

/** PRECISION is each bin's relative width. */
const PRECISION = 0.01;
/** SMALLEST is the upper bound of the first bin (10 µs): anything faster is counted there. */
const SMALLEST = 0.01;
const LOG_STEP = Math.log1p(PRECISION);

export class LatencyHistogram {
  /** counts by bin index; sparse, since one run's latencies span a few hundred bins. */
  readonly #bins = new Map<number, number>();
  #count = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  /** record adds one latency in milliseconds. */
  record(ms: number): void {
    const index = ms <= SMALLEST ? 0 : Math.ceil(Math.log(ms / SMALLEST) / LOG_STEP);
    this.#bins.set(index, (this.#bins.get(index) ?? 0) + 1);
    this.#count += 1;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** merge adds every count of another histogram. */
  merge(other: LatencyHistogram): void {
    for (const [index, count] of other.#bins) {
      this.#bins.set(index, (this.#bins.get(index) ?? 0) + count);
    }
    this.#count += other.#count;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  get count(): number {
    return this.#count;
  }

  get max(): number {
    return this.#max;
  }

  /**
   * percentile is the nearest-rank p-th percentile (0 < p <= 100): the smallest recorded value
   * that at least p% of the values do not exceed, as its bin's upper bound; NaN when empty.
   */
  percentile(p: number): number {
    if (this.#count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (const index of [...this.#bins.keys()].sort((a, b) => a - b)) {
      seen += this.#bins.get(index)!;
      if (seen >= rank) {
        const upper = SMALLEST * Math.exp(index * LOG_STEP);
        return Math.min(Math.max(upper, this.#min), this.#max);
      }
    }
    return this.#max;
  }
}
