import { describe, expect, it } from 'vitest';
import { erfc, mannWhitneyU, type KeyedCounts } from '../../../../src/reports/compare/mann-whitney.js';
import { RunningStats } from '../../../../src/reports/running-stats.js';
import { prng } from '../../../helpers/prng.js';

/**
 * Mann–Whitney U straight from raw samples, as the textbook gives it: rank the pooled values
 * (ties get their average rank), U = R_A − n_A(n_A + 1)/2, the normal approximation with the tie
 * correction of the variance and a continuity correction of 0.5; the normal tail from `erfc`.
 */
function directMannWhitney(a: readonly number[], b: readonly number[]): { u: number; z: number; pValue: number } {
  const pooled = [...a.map((v) => ({ v, side: 'a' })), ...b.map((v) => ({ v, side: 'b' }))].sort((x, y) => x.v - y.v);
  const ranks: number[] = [];
  let ties = 0;
  for (let i = 0; i < pooled.length; ) {
    let j = i;
    while (j + 1 < pooled.length && pooled[j + 1]!.v === pooled[i]!.v) j++;
    const t = j - i + 1;
    for (let k = i; k <= j; k++) ranks[k] = (i + 1 + j + 1) / 2;
    ties += t ** 3 - t;
    i = j + 1;
  }
  const rankSumA = pooled.reduce((sum, item, i) => sum + (item.side === 'a' ? ranks[i]! : 0), 0);
  const [nA, nB, n] = [a.length, b.length, a.length + b.length];
  const u = rankSumA - (nA * (nA + 1)) / 2;
  const sd = Math.sqrt(((nA * nB) / 12) * (n + 1 - ties / (n * (n - 1))));
  const z = (Math.sign(u - (nA * nB) / 2) * Math.max(0, Math.abs(u - (nA * nB) / 2) - 0.5)) / sd;
  return { u, z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

function countsOf(values: readonly number[]): KeyedCounts {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

function statsOf(values: readonly number[]): RunningStats {
  const stats = new RunningStats();
  for (const v of values) stats.add(v, undefined);
  return stats;
}

describe('erfc', () => {
  it.each([
    [0, 1],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [2, 0.004677734981047266],
    [3.5, 7.430983723414128e-7],
    [-1, 1.8427007929497148],
  ])('erfc(%f) = %f within 1.2e-7 relative', (x, expected) => {
    expect(Math.abs(erfc(x) - expected) / expected).toBeLessThan(1.2e-7);
  });
});

describe('mannWhitneyU', () => {
  it('agrees with SciPy on small samples with and without ties', () => {
    // scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='asymptotic', use_continuity=True), SciPy 1.17.1.
    const first = mannWhitneyU(countsOf([1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3, 1.3]), countsOf([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]));
    expect(first.u).toBe(65);
    expect(first.pValue).toBeCloseTo(0.11087614822577206, 6);
    const tied = mannWhitneyU(countsOf([1, 2, 2, 3, 3, 3, 4, 5, 5, 9, 9, 9]), countsOf([2, 3, 4, 4, 6, 6, 7, 7, 8, 8, 9, 10, 10, 11]));
    expect(tied.u).toBe(48);
    expect(tied.pValue).toBeCloseTo(0.06631166865656446, 6);
  });

  it('equals the direct computation on raw samples, ties and all, over many seeded samples', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = prng(seed);
      const nA = 5 + Math.floor(random() * 60);
      const nB = 5 + Math.floor(random() * 60);
      // Few distinct values (many ties) on odd seeds, continuous values on even ones; b shifted by a seed-dependent amount.
      const draw = (shift: number) => (seed % 2 ? Math.floor(random() * 12) + shift : random() * 100 + shift * 10);
      const shift = (seed % 5) - 2;
      const a = Array.from({ length: nA }, () => draw(0));
      const b = Array.from({ length: nB }, () => draw(shift));
      const direct = directMannWhitney(a, b);
      const binned = mannWhitneyU(countsOf(a), countsOf(b));
      expect(binned.nA).toBe(nA);
      expect(binned.u, `seed ${seed}`).toBeCloseTo(direct.u, 9);
      expect(binned.z, `seed ${seed}`).toBeCloseTo(direct.z, 9);
      expect(binned.pValue, `seed ${seed}`).toBeCloseTo(direct.pValue, 12);
    }
  });

  it('from two sketches’ bins, tells the same as the raw samples (values within a bin tie)', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const random = prng(1000 + seed);
      const lognormal = (median: number) => median * Math.exp(0.8 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
      const factor = [1, 1.1, 1.5, 3][seed % 4]!;
      const a = Array.from({ length: 40 }, () => lognormal(10));
      const b = Array.from({ length: 60 }, () => lognormal(10 * factor));
      const direct = directMannWhitney(a, b);
      const fromSketches = mannWhitneyU(statsOf(a).binCounts(), statsOf(b).binCounts());
      expect(fromSketches.nA + fromSketches.nB).toBe(100);
      // Bins are 1% wide: only values that close become ties (a few pairs of 100 values), which
      // moves z by a few hundredths at most.
      expect(Math.abs(fromSketches.z - direct.z), `seed ${seed}: ${fromSketches.z} vs ${direct.z}`).toBeLessThan(0.02 * Math.abs(direct.z) + 0.05);
      // And the verdict at 0.01 is the same, unless the raw p-value sits right at the threshold.
      if (Math.abs(direct.pValue - 0.01) > 0.003) expect(fromSketches.pValue < 0.01, `seed ${seed}: ${fromSketches.pValue} vs ${direct.pValue}`).toBe(direct.pValue < 0.01);
    }
  });

  it('is 1 (no evidence) when a side is empty or every value ties', () => {
    expect(mannWhitneyU(new Map(), countsOf([1, 2, 3])).pValue).toBe(1);
    expect(mannWhitneyU(countsOf([5, 5, 5]), countsOf([5, 5])).pValue).toBe(1);
  });

  it('is symmetric: swapping the sides flips z and keeps p', () => {
    const a = countsOf([1, 4, 4, 7, 9, 12, 13]);
    const b = countsOf([3, 5, 8, 8, 15, 16, 20, 21]);
    const ab = mannWhitneyU(a, b);
    const ba = mannWhitneyU(b, a);
    expect(ba.z).toBeCloseTo(-ab.z, 12);
    expect(ba.pValue).toBeCloseTo(ab.pValue, 12);
    expect(ab.u + ba.u).toBe(7 * 8);
  });
});
