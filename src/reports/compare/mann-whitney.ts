/**
 * Counts of values by ordered key: a histogram whose keys sort the way the values do (a DDSketch's
 * bin index, or the values themselves). Values sharing a key are ties.
 */
export type KeyedCounts = ReadonlyMap<number, number>;

export interface MannWhitneyResult {
  /** Values on each side. */
  readonly nA: number;
  readonly nB: number;
  /** U of side A: the pairs (a, b) with a > b, ties counted half. 0 to nA·nB. */
  readonly u: number;
  /** Standardised U under the normal approximation, with tie and continuity corrections; > 0 when A tends larger. */
  readonly z: number;
  /** Two-sided p-value of "both sides come from one distribution"; 1 when it cannot be told (no variance). */
  readonly pValue: number;
}

/**
 * The Mann–Whitney U test (Wilcoxon rank-sum) of two samples given as counts per ordered key:
 * each key's values tie and share their average rank, so two DDSketches with the same mapping are
 * tested on their shared bin index, values within one bin (1% apart) being ties. The normal
 * approximation with the tie correction of the variance and a continuity correction of 0.5, as
 * R's `wilcox.test(exact = FALSE, correct = TRUE)`: good from about ten values a side, which is
 * fewer than the comparison asks for. Pure; O(k log k) in the number of distinct keys.
 */
export function mannWhitneyU(a: KeyedCounts, b: KeyedCounts): MannWhitneyResult {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
  let nA = 0;
  let nB = 0;
  for (const n of a.values()) nA += n;
  for (const n of b.values()) nB += n;
  const total = nA + nB;
  if (nA === 0 || nB === 0) return { nA, nB, u: 0, z: 0, pValue: 1 };

  let below = 0; // values of both sides under the current key
  let rankSumA = 0;
  let tieTerm = 0; // Σ (t³ − t) over tie groups
  for (const key of keys) {
    const countA = a.get(key) ?? 0;
    const t = countA + (b.get(key) ?? 0);
    // Ranks below + 1 … below + t, averaged.
    rankSumA += countA * (below + (t + 1) / 2);
    tieTerm += t * t * t - t;
    below += t;
  }
  const u = rankSumA - (nA * (nA + 1)) / 2;
  const mean = (nA * nB) / 2;
  const variance = ((nA * nB) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (!(variance > 0)) return { nA, nB, u, z: 0, pValue: 1 };
  const distance = Math.max(0, Math.abs(u - mean) - 0.5);
  const z = (Math.sign(u - mean) * distance) / Math.sqrt(variance);
  return { nA, nB, u, z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

/**
 * The complementary error function, to a relative error under 1.2e-7 everywhere (Chebyshev fit,
 * Press et al., Numerical Recipes, `erfcc`): p-values far below any threshold in use stay exact
 * enough to compare.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
