import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyHistogram } from './histogram.ts';

/** exact is the nearest-rank percentile of raw values, the definition the histogram follows. */
function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

function filled(values: number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.record(value);
  return histogram;
}

test('percentiles are within 1% of the exact nearest-rank values, never below them', () => {
  // a skewed latency-like spread: mostly fast, a long tail
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const values = Array.from({ length: 20_000 }, () => 0.3 + (-Math.log(1 - random())) ** 2 * 15);
  const histogram = filled(values);
  for (const p of [1, 50, 90, 99, 99.9, 100]) {
    const want = exact(values, p);
    const got = histogram.percentile(p);
    assert.ok(got >= want && got <= want * 1.01, `p${p}: ${got} vs exact ${want}`);
  }
  assert.equal(histogram.count, 20_000);
});

test('small samples give the nearest-rank answer', () => {
  const histogram = filled([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  const cases: Array<[number, number, string]> = [
    [50, 50, 'the 5th of 10'],
    [90, 90, 'the 9th of 10'],
    [99, 100, 'rounds the rank up to the 10th'],
    [100, 100, 'the largest'],
  ];
  for (const [p, want, reason] of cases) {
    const got = histogram.percentile(p);
    assert.ok(got >= want && got <= want * 1.01, `${reason}: ${got}`);
  }
});

test('one value is every percentile; an empty histogram has none', () => {
  const one = filled([12.5]);
  assert.deepStrictEqual(
    [one.percentile(1), one.percentile(50), one.percentile(100)],
    [12.5, 12.5, 12.5],
  );
  assert.ok(Number.isNaN(new LatencyHistogram().percentile(50)));
  assert.equal(filled([0, 0.001]).percentile(100), 0.001, 'sub-10µs values clamp to the max');
});

test('merge is the same as recording everything in one histogram', () => {
  const a = [1, 2, 3, 400];
  const b = [5, 6, 7, 8, 9];
  const merged = filled(a);
  merged.merge(filled(b));
  const whole = filled([...a, ...b]);
  for (const p of [10, 50, 90, 100]) assert.equal(merged.percentile(p), whole.percentile(p));
  assert.equal(merged.count, 9);
  assert.equal(merged.max, 400);
});
