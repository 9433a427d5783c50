import { describe, expect, it } from 'vitest';
import { holmAdjusted, isSignificant, latencyTest, MIN_CALLS_PER_SIDE, MIN_P50_RATIO, SIGNIFICANCE_LEVEL } from '../../../../src/reports/compare/significance.js';
import { RunningStats } from '../../../../src/reports/running-stats.js';

function statsOf(values: readonly number[]): RunningStats {
  const stats = new RunningStats();
  for (const v of values) stats.add(v, undefined);
  return stats;
}
const p50 = (stats: RunningStats) => stats.toStats().p50Ms;

describe('holmAdjusted', () => {
  it('multiplies the k-th smallest of m p-values by m − k + 1, keeps them ordered, caps at 1 and skips nulls', () => {
    // Sorted: 0.001 (×4), 0.004 (×3), 0.02 (×2), 0.5 (×1): 0.004, 0.012, 0.04, 0.5.
    expect(holmAdjusted([0.02, null, 0.001, 0.5, 0.004])).toEqual([0.04, null, 0.004, 0.5, 0.012]);
    // A later raw p-value adjusted lower than an earlier one takes the earlier (monotone).
    expect(holmAdjusted([0.01, 0.011])).toEqual([0.02, 0.02]);
    expect(holmAdjusted([0.6, 0.7, 0.9])).toEqual([1, 1, 1]);
    expect(holmAdjusted([])).toEqual([]);
  });
});

describe('latencyTest and isSignificant', () => {
  const base = Array.from({ length: 40 }, (_, i) => 10 + (i % 10));

  it('tests nothing below the minimum calls on either side', () => {
    const few = statsOf(base.slice(0, MIN_CALLS_PER_SIDE - 1).map((v) => v * 10));
    const many = statsOf(base);
    expect(latencyTest(many, few, p50(many), p50(few)).pValue).toBeNull();
    expect(isSignificant(null, true)).toBe(false);
    const enough = statsOf(base.slice(0, MIN_CALLS_PER_SIDE).map((v) => v * 10));
    expect(latencyTest(many, enough, p50(many), p50(enough)).pValue).toBeLessThan(SIGNIFICANCE_LEVEL);
  });

  it('does not call a tiny shift over thousands of calls a change, however small its p-value', () => {
    const a = statsOf(Array.from({ length: 5000 }, (_, i) => 100 + (i % 100)));
    const b = statsOf(Array.from({ length: 5000 }, (_, i) => 105 + (i % 100)));
    const test = latencyTest(a, b, p50(a), p50(b));
    expect(test.pValue).toBeLessThan(1e-6);
    expect(test.large).toBe(false);
    expect(isSignificant(test.pValue, test.large)).toBe(false);
  });

  it(`calls a shift large when the p50s are ${MIN_P50_RATIO}× apart either way`, () => {
    const a = statsOf(base);
    const slower = statsOf(base.map((v) => v * MIN_P50_RATIO * 1.05));
    const faster = statsOf(base.map((v) => v / (MIN_P50_RATIO * 1.05)));
    const slightly = statsOf(base.map((v) => v * (MIN_P50_RATIO * 0.95)));
    expect(latencyTest(a, slower, p50(a), p50(slower)).large).toBe(true);
    expect(latencyTest(a, faster, p50(a), p50(faster)).large).toBe(true);
    expect(latencyTest(a, slightly, p50(a), p50(slightly)).large).toBe(false);
  });

  it('compares p50s of 0 ms from 1 µs up rather than as an infinite ratio', () => {
    const zeros = statsOf(Array(20).fill(0));
    const tiny = statsOf(Array(20).fill(0.0005));
    expect(latencyTest(zeros, tiny, 0, 0.0005).large).toBe(false);
  });
});
