import { describe, expect, it } from 'vitest';
import { decodeSketch, encodeSketch, mergeSketch, mergeStoredSketch, newSketch, SKETCH_BIN_LIMIT, sketchProblem, type StoredSketch } from '../../../src/document/stored-sketch.js';
import { prng } from '../../helpers/prng.js';

function sketchOf(values: readonly number[]) {
  const sketch = newSketch();
  for (const v of values) sketch.accept(v);
  return sketch;
}

describe('encodeSketch and decodeSketch', () => {
  it('keep only the non-empty bins, and read back to the same percentiles and count', () => {
    const values = [0, 0, 0.001, 0.5, 3, 3, 40, 1e5, 7e5];
    const sketch = sketchOf(values);
    const stored = encodeSketch(sketch);
    expect(stored.counts.reduce((a, b) => a + b, 0) + (stored.zeros ?? 0)).toBe(values.length);
    expect(stored.zeros).toBe(2);
    // 3 and 3 share a bin: 6 non-zero values in 5 bins; the dense store held thousands.
    expect(stored.keys).toHaveLength(6);
    expect(sketch.store.bins.length).toBeGreaterThan(1000);
    expect(sketchProblem(stored, values.length)).toBeUndefined();
    const back = decodeSketch(stored);
    expect(back.count).toBe(values.length);
    for (const q of [0, 0.25, 0.5, 0.9, 0.99, 1]) expect(back.getValueAtQuantile(q)).toBe(sketch.getValueAtQuantile(q));
  });

  it('a decoded sketch merges with a new one as the original would', () => {
    const a = sketchOf([1, 2, 3]);
    const b = sketchOf([10, 20]);
    const merged = decodeSketch(encodeSketch(a));
    merged.merge(b);
    a.merge(b);
    expect(merged.count).toBe(5);
    expect(encodeSketch(merged)).toEqual(encodeSketch(a));
  });

  it('an empty sketch is no bins', () => {
    expect(encodeSketch(newSketch())).toEqual({ keys: [], counts: [] });
    expect(decodeSketch({ keys: [], counts: [] }).count).toBe(0);
  });

  it('a collapsed sketch (wider than the bin limit) stays within the limit when stored', () => {
    const values = Array.from({ length: 5000 }, (_, i) => 0.001 * 1.005 ** i);
    const stored = encodeSketch(sketchOf(values));
    expect(stored.keys.length).toBeLessThanOrEqual(SKETCH_BIN_LIMIT);
    expect(sketchProblem(stored, values.length)).toBeUndefined();
  });
});

describe('sketchProblem', () => {
  const good = (): StoredSketch => encodeSketch(sketchOf([4, 9]));

  it.each<[string, (s: StoredSketch) => StoredSketch, string]>([
    ['keys and counts of different lengths', (s) => ({ ...s, counts: [1] }), 'has keys and counts of different lengths'],
    ['a count of 0', (s) => ({ ...s, counts: [0, 1] }), 'has a bin that is not a count'],
    ['a negative count', (s) => ({ ...s, counts: [-1, 1] }), 'has a bin that is not a count'],
    ['a NaN count', (s) => ({ ...s, counts: [Number.NaN, 1] }), 'has a bin that is not a count'],
    ['negative zeros', (s) => ({ ...s, zeros: -2 }), 'has a bin that is not a count'],
    ['keys out of order', (s) => ({ ...s, keys: [...s.keys].reverse() }), 'has keys out of order'],
    ['a repeated key', (s) => ({ ...s, keys: [s.keys[0]!, s.keys[0]!] }), 'has keys out of order'],
    ['a key that is not whole', (s) => ({ ...s, keys: [s.keys[0]! + 0.5, s.keys[1]!] }), "has a key outside the sketch's range"],
    ['a key past any value a double can hold', (s) => ({ ...s, keys: [s.keys[0]!, 1e9] }), "has a key outside the sketch's range"],
    ['keys wider apart than the bin limit', (s) => ({ ...s, keys: [s.keys[0]!, s.keys[0]! + SKETCH_BIN_LIMIT] }), `spans more than ${SKETCH_BIN_LIMIT} bins`],
  ])('%s', (_label, edit, problem) => {
    expect(sketchProblem(edit(good()), 2)).toBe(problem);
    expect(() => decodeSketch(edit(good()))).toThrow(problem);
  });

  it(`more than ${SKETCH_BIN_LIMIT} bins`, () => {
    const keys = Array.from({ length: SKETCH_BIN_LIMIT + 1 }, (_, i) => i);
    expect(sketchProblem({ keys, counts: keys.map(() => 1) }, keys.length)).toBe(`has more than ${SKETCH_BIN_LIMIT} bins`);
  });

  it('holding no values where the statistics count some (its percentiles would be NaN)', () => {
    expect(sketchProblem({ keys: [], counts: [] }, 2)).toBe('holds no values where the statistics count 2');
    expect(sketchProblem({ keys: [], counts: [], zeros: 2 }, 2)).toBeUndefined();
  });
});

describe('mergeSketch and mergeStoredSketch', () => {
  /** Sketches of a few values each, over ranges far apart: what sketches-js 2.1.1's own merge fills with NaN bins. */
  function wideMerges(merge: (target: ReturnType<typeof newSketch>, source: ReturnType<typeof newSketch>) => void) {
    const random = prng(7);
    let broken = 0;
    let lost = 0;
    for (let t = 0; t < 2000; t++) {
      const target = newSketch();
      let values = 0;
      for (let round = 1 + Math.floor(random() * 5); round > 0; round--) {
        const low = random() * 40 - 25;
        const width = random() * 30;
        const source = newSketch();
        const n = 1 + Math.floor(random() * 20);
        for (let i = 0; i < n; i++) source.accept(Math.exp(low + random() * width));
        merge(target, source);
        target.accept(Math.exp(low + random() * width));
        values += n + 1;
      }
      const stored = encodeSketch(target);
      if (!target.store.bins.every(Number.isFinite) || sketchProblem(stored, values) !== undefined) broken++;
      if (stored.counts.reduce((a, b) => a + b, 0) < values) lost++;
    }
    return { broken, lost };
  }

  it('merge sketches over ranges far apart without a bin that is not a count, or a value lost', () => {
    expect(wideMerges((target, source) => target.merge(source)).broken).toBeGreaterThan(0); // the library's own merge
    expect(wideMerges(mergeSketch)).toEqual({ broken: 0, lost: 0 });
    expect(wideMerges((target, source) => mergeStoredSketch(target, encodeSketch(source)))).toEqual({ broken: 0, lost: 0 });
  });

  it('mergeStoredSketch refuses a bad stored sketch before changing the target', () => {
    const target = sketchOf([1, 2, 3]);
    const before = encodeSketch(target);
    expect(() => mergeStoredSketch(target, { keys: [5, 4], counts: [1, 1] })).toThrow(/out of order/);
    expect(encodeSketch(target)).toEqual(before);
    expect(target.count).toBe(3);
  });
});
