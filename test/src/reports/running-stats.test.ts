import { describe, expect, it } from 'vitest';
import type { StatsState } from '../../../src/document/report.js';
import { MAX_ERROR_TYPES, RunningStats, SKETCH_RELATIVE_ACCURACY } from '../../../src/reports/running-stats.js';
import { prng } from '../../helpers/prng.js';


type Distribution = (random: () => number) => number;

const DISTRIBUTIONS: Record<string, Distribution> = {
  uniform: (r) => 1 + r() * 999,
  // exp(N(3, 2)): from well under 1 ms to minutes, the long tail of real tool calls.
  lognormal: (r) => Math.exp(3 + 2 * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())),
  constant: () => 42.5,
  'with zeros': (r) => (r() < 0.3 ? 0 : 5 + r() * 95),
};

function sample(distribution: Distribution, n: number, seed: number): number[] {
  const random = prng(seed);
  return Array.from({ length: n }, () => distribution(random));
}

function feed(values: readonly number[], errorType?: (i: number) => string | undefined): RunningStats {
  const stats = new RunningStats();
  values.forEach((v, i) => stats.add(v, errorType?.(i)));
  return stats;
}

function exactMean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function exactSampleStddev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = exactMean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

/** The value at 1-based rank ⌈q·n⌉ of the sorted data (nearest rank): what reports promise, within the sketch's accuracy. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

/** Reports round to the microsecond: allow that half-microsecond on top of `relative`. */
function expectNear(actual: number, expected: number, relative: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    relative * Math.abs(expected) + 0.0005 + 1e-9,
  );
}

const QUANTILES = [
  ['p50Ms', 0.5],
  ['p90Ms', 0.9],
  ['p95Ms', 0.95],
  ['p99Ms', 0.99],
] as const;

describe('RunningStats', () => {
  it('reports zeros and a success rate of 1 when empty', () => {
    expect(new RunningStats().toStats()).toEqual({
      count: 0, errors: 0, successRate: 1, totalMs: 0, meanMs: 0, stddevMs: 0, minMs: 0, maxMs: 0,
      p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, errorTypes: {},
    });
  });

  it('counts calls, errors and error types exactly', () => {
    const stats = new RunningStats();
    const types = [undefined, 'TypeError', undefined, 'ENOENT', 'TypeError', undefined, undefined, 'TypeError'];
    types.forEach((type, i) => stats.add(10 + i, type));
    const result = stats.toStats();
    expect(result.count).toBe(8);
    expect(result.errors).toBe(4);
    expect(result.errorTypes).toEqual({ TypeError: 3, ENOENT: 1 });
    expect(result.successRate).toBe(0.5);
  });

  it('rounds the success rate to four decimals', () => {
    const stats = feed([1, 2, 3], (i) => (i === 0 ? 'E' : undefined));
    expect(stats.toStats().successRate).toBe(0.6667);
  });

  it('gives exact figures for a small known data set', () => {
    const result = feed([2, 4, 4, 4, 5, 5, 7, 9]).toStats();
    expect(result).toMatchObject({ count: 8, totalMs: 40, meanMs: 5, minMs: 2, maxMs: 9 });
    // Sample stddev: sqrt(32 / 7).
    expect(result.stddevMs).toBe(Math.round(Math.sqrt(32 / 7) * 1000) / 1000);
  });

  it('gives stddev 0 for one call', () => {
    expect(feed([123.456]).toStats()).toMatchObject({ count: 1, meanMs: 123.456, stddevMs: 0, minMs: 123.456, maxMs: 123.456, p50Ms: 123.456, p99Ms: 123.456 });
  });

  it('rounds reported figures to the microsecond', () => {
    const result = feed([1.23456789]).toStats();
    expect(result.meanMs).toBe(1.235);
    expect(result.totalMs).toBe(1.235);
  });

  it('clamps negative durations to 0', () => {
    const stats = feed([-5, 10, -0.001]);
    const result = stats.toStats();
    expect(result.minMs).toBe(0);
    expect(result.maxMs).toBe(10);
    expect(result.totalMs).toBe(10);
    expect(result.p50Ms).toBe(0);
    expect(result.meanMs).toBeCloseTo(10 / 3, 3);
  });

  it('clamps a NaN duration to 0 rather than poisoning the statistics', () => {
    const result = feed([Number.NaN, 4]).toStats();
    expect(result).toMatchObject({ count: 2, totalMs: 4, meanMs: 2, minMs: 0, maxMs: 4 });
  });

  describe.each(Object.entries(DISTRIBUTIONS))('on %s data', (name, distribution) => {
    it.each([1, 2, 10, 10_000])('n = %i: exact mean, stddev, min, max; percentiles within 1%%', (n) => {
      const values = sample(distribution, n, 1234 + n);
      const sorted = [...values].sort((a, b) => a - b);
      const result = feed(values).toStats();

      expect(result.count).toBe(n);
      expectNear(result.meanMs, exactMean(values), 1e-9, 'mean');
      expectNear(result.stddevMs, exactSampleStddev(values), 1e-9, 'stddev');
      expectNear(result.totalMs, values.reduce((s, v) => s + v, 0), 1e-9, 'total');
      expectNear(result.minMs, sorted[0]!, 0, 'min');
      expectNear(result.maxMs, sorted[n - 1]!, 0, 'max');
      for (const [field, q] of QUANTILES) {
        expectNear(result[field], exactQuantile(sorted, q), SKETCH_RELATIVE_ACCURACY, `${name} ${field}`);
      }
      expect(result.p50Ms).toBeLessThanOrEqual(result.p90Ms);
      expect(result.p90Ms).toBeLessThanOrEqual(result.p95Ms);
      expect(result.p95Ms).toBeLessThanOrEqual(result.p99Ms);
      expect(result.p99Ms).toBeLessThanOrEqual(result.maxMs);
    });
  });

  describe('percentiles by nearest rank', () => {
    // Durations of 11 calls, shuffled: sorted they are 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 45000.
    const ELEVEN = [34, 3, 45_000, 13, 144, 5, 89, 21, 233, 8, 55];

    it('11 calls: p99 is the max and p50 the 6th value, within 1%', () => {
      const result = feed(ELEVEN).toStats();
      expect(Math.abs(result.p99Ms - 45_000) / 45_000).toBeLessThanOrEqual(0.01);
      expect(result.p99Ms).toBe(result.maxMs);
      expect(Math.abs(result.p50Ms - 34) / 34).toBeLessThanOrEqual(0.01);
      // p90: rank ⌈9.9⌉ = 10, the 10th value; p95: rank ⌈10.45⌉ = 11, the max.
      expect(Math.abs(result.p90Ms - 233) / 233).toBeLessThanOrEqual(0.01);
      expect(result.p95Ms).toBe(45_000);
    });

    it.each([1, 2, 5, 37, 99])('the p99 of %i calls (fewer than 100) is their max', (n) => {
      const values = sample(DISTRIBUTIONS.lognormal!, n, 300 + n);
      const result = feed(values).toStats();
      expect(result.p99Ms).toBe(result.maxMs);
    });

    it('the p99 of 101 calls is the 100th value, not the max', () => {
      const values = Array.from({ length: 101 }, (_, i) => (i + 1) * 10);
      const result = feed(values).toStats();
      expectNear(result.p99Ms, 1000, SKETCH_RELATIVE_ACCURACY, 'p99 of 101');
      expect(result.maxMs).toBe(1010);
    });

    it('100 calls: p50, p90 and p95 are the 50th, 90th and 95th values', () => {
      const values = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
      const result = feed(values).toStats();
      expectNear(result.p50Ms, 500, SKETCH_RELATIVE_ACCURACY, 'p50 of 100');
      expectNear(result.p90Ms, 900, SKETCH_RELATIVE_ACCURACY, 'p90 of 100');
      expectNear(result.p95Ms, 950, SKETCH_RELATIVE_ACCURACY, 'p95 of 100');
    });
  });

  it('hands out its sketch bins: zeros under -Infinity, keys in the order of their values, counts summing to the calls', () => {
    const stats = feed([0, 0, 1.5, 1.501, 2, 50, 50, 1000]);
    const bins = stats.binCounts();
    expect(bins.get(-Infinity)).toBe(2);
    expect([...bins.values()].reduce((sum, n) => sum + n, 0)).toBe(8);
    // 1.5 and 1.501 share a bin (0.07% apart, bins are ~1% wide); 50 and 50 too.
    expect(bins.size).toBe(5);
    const keys = [...bins.keys()].sort((x, y) => x - y);
    expect(keys.map((k) => bins.get(k))).toEqual([2, 2, 1, 2, 1]);
    // The same value gets the same key in another sketch: keys are comparable across sessions.
    expect([...feed([50]).binCounts().keys()]).toEqual([keys[3]]);
  });

  it('gives the constant itself for every percentile of constant data', () => {
    const result = feed(Array(1000).fill(42.5)).toStats();
    expect([result.p50Ms, result.p90Ms, result.p95Ms, result.p99Ms, result.minMs, result.maxMs]).toEqual([42.5, 42.5, 42.5, 42.5, 42.5, 42.5]);
    expect(result.stddevMs).toBe(0);
  });

  it('gives exactly 0 for percentiles that fall on zeros', () => {
    const values = [...Array(600).fill(0), ...sample(DISTRIBUTIONS.uniform!, 400, 7)];
    const result = feed(values).toStats();
    expect(result.p50Ms).toBe(0);
    expect(result.p90Ms).toBeGreaterThan(0);
  });

  describe('error types', () => {
    it(`keeps ${MAX_ERROR_TYPES} distinct types and counts the rest as _OTHER`, () => {
      const stats = new RunningStats();
      for (let i = 0; i < MAX_ERROR_TYPES + 8; i++) stats.add(1, `Error${i}`);
      stats.add(1, 'Error0'); // a known type still counts as itself after the cap
      stats.add(1, 'Late'); // a new type after the cap is _OTHER
      const result = stats.toStats();
      expect(Object.keys(result.errorTypes)).toHaveLength(MAX_ERROR_TYPES + 1);
      expect(result.errorTypes.Error0).toBe(2);
      expect(result.errorTypes[`Error${MAX_ERROR_TYPES - 1}`]).toBe(1);
      expect(result.errorTypes[`Error${MAX_ERROR_TYPES}`]).toBeUndefined();
      expect(result.errorTypes._OTHER).toBe(9);
      expect(result.errors).toBe(MAX_ERROR_TYPES + 10);
      expect(Object.values(result.errorTypes).reduce((s, n) => s + n, 0)).toBe(result.errors);
    });

    it('caps the types when merging too', () => {
      const a = new RunningStats();
      const b = new RunningStats();
      for (let i = 0; i < MAX_ERROR_TYPES; i++) a.add(1, `A${i}`);
      for (let i = 0; i < 5; i++) b.add(1, `B${i}`);
      b.add(1, 'A0');
      a.merge(b);
      const result = a.toStats();
      expect(Object.keys(result.errorTypes)).toHaveLength(MAX_ERROR_TYPES + 1);
      expect(result.errorTypes._OTHER).toBe(5);
      expect(result.errorTypes.A0).toBe(2);
      expect(result.errors).toBe(MAX_ERROR_TYPES + 6);
    });
  });

  describe('merge', () => {
    const errorOf = (i: number): string | undefined => (i % 7 === 0 ? 'TypeError' : i % 11 === 0 ? 'ENOENT' : undefined);

    it.each([
      ['lognormal, uneven split', 'lognormal', 10_000, 3_000],
      ['uniform, even split', 'uniform', 2_000, 1_000],
      ['with zeros', 'with zeros', 5_000, 1],
      ['empty left side', 'uniform', 100, 0],
      ['empty right side', 'uniform', 100, 100],
    ])('merge(a, b) equals one stats fed everything (%s)', (_label, name, n, split) => {
      const values = sample(DISTRIBUTIONS[name]!, n, 99);
      const all = feed(values, errorOf);
      const a = feed(values.slice(0, split), errorOf);
      const b = feed(values.slice(split), (i) => errorOf(i + split));
      a.merge(b);

      expect(a.count).toBe(all.count);
      expect(a.errors).toBe(all.errors);
      expect(a.min).toBe(all.min);
      expect(a.max).toBe(all.max);
      expect(Math.abs(a.mean - all.mean)).toBeLessThanOrEqual(1e-9 * Math.abs(all.mean));
      expect(Math.abs(a.sum - all.sum)).toBeLessThanOrEqual(1e-9 * Math.abs(all.sum));
      const sd = (s: RunningStats) => Math.sqrt(s.m2 / (s.count - 1));
      expect(Math.abs(sd(a) - sd(all))).toBeLessThanOrEqual(1e-9 * sd(all));

      const merged = a.toStats();
      const direct = all.toStats();
      expect(merged.errorTypes).toEqual(direct.errorTypes);
      expect(merged.successRate).toBe(direct.successRate);
      for (const [field] of QUANTILES) expect(merged[field], field).toBe(direct[field]);
    });

    it('merging into an empty stats copies the other', () => {
      const source = feed(sample(DISTRIBUTIONS.lognormal!, 500, 5), (i) => (i % 3 ? undefined : 'X'));
      const target = new RunningStats();
      target.merge(source);
      expect(target.toStats()).toEqual(source.toStats());
    });

    it('merging an empty stats changes nothing', () => {
      const stats = feed([1, 2, 3]);
      const before = stats.toStats();
      stats.merge(new RunningStats());
      expect(stats.toStats()).toEqual(before);
    });
  });

  describe('toState / fromState', () => {
    const roundTrip = (stats: RunningStats): RunningStats =>
      RunningStats.fromState(JSON.parse(JSON.stringify(stats.toState())) as StatsState);

    it.each(Object.keys(DISTRIBUTIONS))('gives identical toStats() through JSON (%s)', (name) => {
      const stats = feed(sample(DISTRIBUTIONS[name]!, 3_000, 42), (i) => (i % 5 === 0 ? `E${i % 3}` : undefined));
      expect(roundTrip(stats).toStats()).toEqual(stats.toStats());
    });

    it('round-trips an empty stats', () => {
      const state = new RunningStats().toState();
      expect(state).toMatchObject({ count: 0, errors: 0, minMs: 0, maxMs: 0 });
      expect(roundTrip(new RunningStats()).toStats()).toEqual(new RunningStats().toStats());
    });

    it('stores the sketch as its non-empty bins and the moments as numbers', () => {
      const state = feed([1, 2, 3, 3], (i) => (i === 1 ? 'E' : undefined)).toState();
      expect(state).toMatchObject({ count: 4, errors: 1, sumMs: 9, meanMs: 2.25, minMs: 1, maxMs: 3, errorTypes: { E: 1 } });
      // Three distinct values, the last twice: three bins, ascending.
      expect(state.sketch.counts).toEqual([1, 1, 2]);
      expect(state.sketch.keys).toHaveLength(3);
      expect([...state.sketch.keys].sort((a, b) => a - b)).toEqual(state.sketch.keys);
    });

    it('continues exactly after a restore: restored + more equals one stats fed everything', () => {
      const values = sample(DISTRIBUTIONS.lognormal!, 4_000, 8);
      const first = feed(values.slice(0, 1_500));
      const restored = roundTrip(first);
      for (const v of values.slice(1_500)) restored.add(v, undefined);
      const all = feed(values);
      const a = restored.toStats();
      const b = all.toStats();
      expect(a.count).toBe(b.count);
      expect([a.minMs, a.maxMs, a.p50Ms, a.p90Ms, a.p95Ms, a.p99Ms]).toEqual([b.minMs, b.maxMs, b.p50Ms, b.p90Ms, b.p95Ms, b.p99Ms]);
      expectNear(a.meanMs, b.meanMs, 1e-9, 'mean');
      expectNear(a.stddevMs, b.stddevMs, 1e-9, 'stddev');
    });

    it('restores error types over the cap with their _OTHER count', () => {
      const stats = new RunningStats();
      for (let i = 0; i < MAX_ERROR_TYPES + 3; i++) stats.add(1, `T${i}`);
      const restored = roundTrip(stats);
      expect(restored.toStats().errorTypes).toEqual(stats.toStats().errorTypes);
      restored.add(1, 'Brand new');
      expect(restored.toStats().errorTypes._OTHER).toBe(4);
    });
  });
});
