import type { RunningStats } from '../running-stats.js';
import { mannWhitneyU } from './mann-whitney.js';

/** Holm-adjusted two-sided p-value under which a shift counts. */
export const SIGNIFICANCE_LEVEL = 0.01;
/** Calls each side needs before a shift can count: below it, the rank test says little. */
export const MIN_CALLS_PER_SIDE = 10;
/**
 * How far apart the p50s must be (either way) for a shift to count: over thousands of calls a rank
 * test finds a 2% shift "significant", which nobody should chase as a regression.
 */
export const MIN_P50_RATIO = 1.2;
/** p50s are compared from 1 µs up: a 0 ms p50 is no reason for an infinite ratio. */
const P50_FLOOR_MS = 0.001;

export interface LatencyTest {
  /** The rank test's two-sided p-value; null when a side has fewer than `MIN_CALLS_PER_SIDE` calls. */
  readonly pValue: number | null;
  /** Whether the p50s are at least `MIN_P50_RATIO` apart. */
  readonly large: boolean;
}

/**
 * The rank test of `b`'s durations against `a`'s: a Mann–Whitney U test on the two sketches'
 * shared bin index (see `mannWhitneyU`), and the effect size, the ratio of their p50s (`p50A`,
 * `p50B` as the reports give them).
 */
export function latencyTest(a: RunningStats, b: RunningStats, p50A: number, p50B: number): LatencyTest {
  const ratio = Math.max(p50A, P50_FLOOR_MS) / Math.max(p50B, P50_FLOOR_MS);
  const large = ratio >= MIN_P50_RATIO || ratio <= 1 / MIN_P50_RATIO;
  if (a.count < MIN_CALLS_PER_SIDE || b.count < MIN_CALLS_PER_SIDE) return { pValue: null, large };
  return { pValue: mannWhitneyU(a.binCounts(), b.binCounts()).pValue, large };
}

/**
 * Holm's step-down adjustment of the p-values of one comparison's tests (nulls are not tests):
 * comparing twenty tools at p < 0.01 each would call one of them shifted in one comparison of five
 * with nothing changed; adjusted, the chance that any is called shifted stays under 0.01.
 */
export function holmAdjusted(pValues: readonly (number | null)[]): (number | null)[] {
  const tested = pValues.flatMap((p, index) => (p === null ? [] : [{ p, index }])).sort((x, y) => x.p - y.p);
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 0;
  tested.forEach(({ p, index }, rank) => {
    running = Math.max(running, Math.min(1, (tested.length - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}

/** A shift counts when its adjusted p-value is under `SIGNIFICANCE_LEVEL` and it is large enough. */
export function isSignificant(adjustedPValue: number | null, large: boolean): boolean {
  return adjustedPValue !== null && adjustedPValue < SIGNIFICANCE_LEVEL && large;
}
