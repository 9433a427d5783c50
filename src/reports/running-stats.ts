import type { DDSketch } from '@datadog/sketches-js';
import type { DurationStats, StatsState } from '../document/report.js';
import { encodeSketch, mergeSketch, mergeStoredSketch, newSketch } from '../document/stored-sketch.js';
import { percentileByNearestRank } from './nearest-rank.js';
import { ERROR_TYPE_OTHER } from '../telemetry/semconv.js';

export { SKETCH_RELATIVE_ACCURACY } from '../document/stored-sketch.js';

/** Distinct error types kept per stats; the rest count as `_OTHER` so a noisy tool cannot grow a report. */
export const MAX_ERROR_TYPES = 32;

/**
 * Count, errors, mean and variance (Welford; Chan et al. to merge), min, max and a DDSketch for
 * percentiles: exact over every call, constant memory, mergeable across processes.
 */
export class RunningStats {
  count = 0;
  errors = 0;
  sum = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  private readonly errorTypes = new Map<string, number>();
  private readonly sketch: DDSketch = newSketch();

  /** One call; `errorType` is set when it failed. */
  add(durationMs: number, errorType: string | undefined): void {
    const value = durationMs > 0 ? durationMs : 0;
    this.count++;
    if (errorType !== undefined) this.countError(errorType, 1);
    this.sum += value;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sketch.accept(value);
  }

  merge(other: RunningStats): void {
    if (other.count === 0) return;
    this.mergeMoments(other.count, other.mean, other.m2, other.sum, other.min, other.max);
    for (const [type, n] of other.errorTypes) this.countError(type, n);
    mergeSketch(this.sketch, other.sketch);
  }

  /**
   * `merge(RunningStats.fromState(state))` at a third of the cost: the stored sketch is merged
   * straight in rather than copied into a fresh sketch first (what the cross-session view does
   * thousands of times).
   */
  mergeState(state: StatsState): void {
    if (state.count === 0) return;
    // The sketch first: one that throws leaves these statistics as they were, not half merged.
    mergeStoredSketch(this.sketch, state.sketch);
    this.mergeMoments(state.count, state.meanMs, state.m2, state.sumMs, state.minMs, state.maxMs);
    for (const [type, n] of Object.entries(state.errorTypes)) this.countError(type, n);
  }

  toStats(): DurationStats {
    const n = this.count;
    if (n === 0) {
      return { count: 0, errors: 0, successRate: 1, totalMs: 0, meanMs: 0, stddevMs: 0, minMs: 0, maxMs: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, errorTypes: {} };
    }
    return {
      count: n,
      errors: this.errors,
      successRate: Math.round(((n - this.errors) / n) * 1e4) / 1e4,
      totalMs: round(this.sum),
      meanMs: round(this.mean),
      // m2 may round a hair below 0; a NaN here would make the written report unreadable.
      stddevMs: n > 1 ? round(Math.sqrt(Math.max(0, this.m2) / (n - 1))) : 0,
      minMs: round(this.min),
      maxMs: round(this.max),
      p50Ms: this.quantile(0.5),
      p90Ms: this.quantile(0.9),
      p95Ms: this.quantile(0.95),
      p99Ms: this.quantile(0.99),
      errorTypes: Object.fromEntries(this.errorTypes),
    };
  }

  /**
   * The sketch's value counts by bin index, zeros under -Infinity: what a rank test between two
   * sessions reads (every stored sketch has the same mapping, so an index is the same bin in both).
   */
  binCounts(): Map<number, number> {
    const counts = new Map<number, number>();
    const { store, zeroCount } = this.sketch;
    if (zeroCount > 0) counts.set(-Infinity, zeroCount);
    store.bins.forEach((n, i) => {
      if (n > 0) counts.set(i + store.offset, n);
    });
    return counts;
  }

  toState(): StatsState {
    return {
      count: this.count,
      errors: this.errors,
      sumMs: this.sum,
      meanMs: this.mean,
      m2: this.m2,
      minMs: this.count ? this.min : 0,
      maxMs: this.count ? this.max : 0,
      errorTypes: Object.fromEntries(this.errorTypes),
      sketch: encodeSketch(this.sketch),
    };
  }

  static fromState(state: StatsState): RunningStats {
    const stats = new RunningStats();
    if (state.count === 0) return stats;
    stats.count = state.count;
    for (const [type, n] of Object.entries(state.errorTypes)) stats.countError(type, n);
    stats.sum = state.sumMs;
    stats.mean = state.meanMs;
    stats.m2 = state.m2;
    stats.min = state.minMs;
    stats.max = state.maxMs;
    mergeStoredSketch(stats.sketch, state.sketch);
    return stats;
  }

  /** Chan et al.'s parallel merge of count, mean and M2, plus sum, min and max. */
  private mergeMoments(count: number, mean: number, m2: number, sum: number, min: number, max: number): void {
    const total = this.count + count;
    const delta = mean - this.mean;
    this.m2 += m2 + (delta * delta * this.count * count) / total;
    this.mean += (delta * count) / total;
    this.count = total;
    this.sum += sum;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }

  private countError(type: string, n: number): void {
    this.errors += n;
    const key = this.errorTypes.has(type) || this.errorTypes.size < MAX_ERROR_TYPES ? type : ERROR_TYPE_OTHER;
    this.errorTypes.set(key, (this.errorTypes.get(key) ?? 0) + n);
  }

  /** By nearest rank (the value at rank ⌈q·n⌉): see `percentileByNearestRank`. */
  private quantile(q: number): number {
    return round(percentileByNearestRank(this.sketch, q, this.min, this.max));
  }
}

/** Microsecond precision: enough for any tool call, and equal results across merge orders. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
