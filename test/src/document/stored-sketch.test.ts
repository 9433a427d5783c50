import { describe, expect, it } from 'vitest';
import { decodeSketch, encodeSketch, newSketch, SKETCH_BIN_LIMIT, sketchProblem, type StoredSketch } from '../../../src/document/stored-sketch.js';

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
