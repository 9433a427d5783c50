import { describe, expect, it } from 'vitest';
import { nearestRank, percentileByNearestRank } from '../../../src/reports/nearest-rank.js';
import { newSketch, SKETCH_RELATIVE_ACCURACY } from '../../../src/document/stored-sketch.js';
import { prng } from '../../helpers/prng.js';

describe('nearestRank', () => {
  it.each([
    [0.5, 11, 6],
    [0.99, 11, 11],
    [0.9, 11, 10],
    [0.95, 11, 11],
    [0.5, 10, 5],
    [0.99, 100, 99],
    [0.99, 101, 100],
    [0, 7, 1],
    [1, 7, 7],
    [0.5, 1, 1],
  ])('q = %f of n = %i is rank %i', (q, n, rank) => {
    expect(nearestRank(q, n)).toBe(rank);
  });

  it('takes q·n that floating point puts a hair above a whole number as that number', () => {
    expect(0.07 * 100).toBeGreaterThan(7);
    expect(nearestRank(0.07, 100)).toBe(7);
    expect(0.14 * 100).toBeGreaterThan(14);
    expect(nearestRank(0.14, 100)).toBe(14);
  });

  it('equals ⌈q·n⌉ computed in exact rational arithmetic for every percent and n up to 300', () => {
    for (let n = 1; n <= 300; n++) {
      for (let percent = 0; percent <= 100; percent++) {
        // ⌈percent·n / 100⌉ in integers.
        const exact = Math.max(1, Math.floor((percent * n + 99) / 100));
        expect(nearestRank(percent / 100, n), `p${percent} of ${n}`).toBe(exact);
      }
    }
  });
});

describe('percentileByNearestRank', () => {
  const sketchOf = (values: readonly number[]) => {
    const sketch = newSketch();
    for (const v of values) sketch.accept(v);
    return sketch;
  };

  it('answers the value at rank ⌈q·n⌉ within the sketch accuracy, zeros included', () => {
    const random = prng(11);
    const values = Array.from({ length: 257 }, (_, i) => (i % 9 === 0 ? 0 : Math.exp(6 * random())));
    const sketch = sketchOf(values);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1]) {
      const truth = sorted[nearestRank(q, sorted.length) - 1] as number;
      const got = percentileByNearestRank(sketch, q, sorted[0] as number, sorted.at(-1) as number);
      expect(Math.abs(got - truth), `q ${q}: ${got} vs ${truth}`).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY * truth + 1e-12);
    }
  });

  it('is the exact max at the last rank and the exact min at the first, not their bins', () => {
    const values = [1.2345, 7.77, 13.1, 65.788];
    const sketch = sketchOf(values);
    expect(percentileByNearestRank(sketch, 0.99, 1.2345, 65.788)).toBe(65.788);
    expect(percentileByNearestRank(sketch, 0.01, 1.2345, 65.788)).toBe(1.2345);
    // Between them, the bin's value: within the accuracy, and not the exact input.
    const p50 = percentileByNearestRank(sketch, 0.5, 1.2345, 65.788);
    expect(Math.abs(p50 - 7.77) / 7.77).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY);
  });

  it('is NaN for an empty sketch', () => {
    expect(percentileByNearestRank(newSketch(), 0.5, 0, 0)).toBeNaN();
  });
});
