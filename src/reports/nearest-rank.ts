import type { DDSketch } from '@datadog/sketches-js';

/**
 * The 1-based rank of the q-quantile of `n` values by nearest rank: ⌈q·n⌉, at least 1. So the p99
 * of fewer than 100 values is the largest, and the p50 of 11 the 6th: percentiles are values that
 * happened, and no tail hides below its worst call (rank ⌊q·(n−1)⌋ put a p99 of 11 calls at the 10th).
 */
export function nearestRank(q: number, n: number): number {
  // q·n lands a hair above a whole number in floating point (0.07 · 100 = 7.000000000000001):
  // that is the whole number, not the next rank.
  return Math.min(n, Math.max(1, Math.ceil(q * n - 1e-9)));
}

/**
 * The q-quantile by nearest rank (see `nearestRank`) of the values a sketch holds, whose exact
 * `min` and `max` are known: those two themselves at the first and last rank (a p99 of 50 calls
 * reads as their max, to the digit), the sketch's value within its relative accuracy between them,
 * clamped to [min, max]. NaN for an empty sketch. Durations are never negative, so the sketch's
 * values are its zero count and its positive bins.
 */
export function percentileByNearestRank(sketch: DDSketch, q: number, min: number, max: number): number {
  const { store, zeroCount } = sketch;
  const n = zeroCount + store.count;
  if (!(n > 0)) return Number.NaN;
  const rank = nearestRank(q, n);
  if (rank === n) return max;
  if (rank === 1) return min;
  if (rank <= zeroCount) return Math.max(min, 0);
  // `keyAtRank` takes a 0-based rank among the store's values: the bin where the running count passes it.
  const value = sketch.mapping.value(store.keyAtRank(rank - 1 - zeroCount));
  return Math.min(max, Math.max(min, value));
}
