import { createRequire } from 'node:module';
import { DDSketch } from '@datadog/sketches-js';
import { describe, expect, it } from 'vitest';
import { decodeSketch, newSketch, SKETCH_BIN_LIMIT, sketchProblem } from '../../../src/document/stored-sketch.js';

function base64Of(sketch: { toProto(): Uint8Array }): string {
  return Buffer.from(sketch.toProto()).toString('base64');
}

function sketchOf(values: readonly number[]) {
  const sketch = newSketch();
  for (const v of values) sketch.accept(v);
  return sketch;
}

describe('sketchProblem', () => {
  it('accepts what this version writes, of any width, and it reads back with the same count', () => {
    const values = [0, 0.001, 0.5, 3, 40, 1e5, 7e5];
    const stored = base64Of(sketchOf(values));
    expect(sketchProblem(stored, values.length)).toBeUndefined();
    expect(decodeSketch(stored).count).toBe(values.length);
  });

  it.each([
    ['empty bytes', ''],
    ['a truncated protobuf', 'AAAA'],
    ['bytes that are not a sketch', Buffer.from('root:x:0:0:root:/root:/bin/bash').toString('base64')],
  ])('%s: does not decode (and the message quotes nothing)', (_label, base64) => {
    expect(sketchProblem(base64, 2)).toBe('does not decode');
  });

  it('made with another relative accuracy: does not merge', () => {
    const other = new DDSketch({ relativeAccuracy: 0.02 });
    other.accept(4);
    other.accept(9);
    expect(sketchProblem(base64Of(other), 2)).toBe('was made with other sketch parameters');
  });

  it.each([
    ['another index offset', { indexOffset: 5 }],
    ['another interpolation (cubic)', { interpolation: 3 }],
  ])('made with %s: keys would mean other values', (_label, change) => {
    // The sketch's own protobuf, with one mapping field changed.
    const { DDSketch: Proto } = createRequire(import.meta.url)('@datadog/sketches-js/dist/ddsketch/proto/compiled') as {
      DDSketch: { decode(b: Uint8Array): { mapping: Record<string, unknown> }; encode(m: unknown): { finish(): Uint8Array } };
    };
    const message = Proto.decode(sketchOf([4, 9]).toProto());
    Object.assign(message.mapping, change);
    expect(sketchProblem(Buffer.from(Proto.encode(message).finish()).toString('base64'), 2)).toBe('was made with other sketch parameters');
  });

  it('holding no values where the statistics count some (its percentiles would be NaN)', () => {
    expect(sketchProblem(base64Of(newSketch()), 2)).toBe('holds no values where the statistics count 2');
  });

  it('holding more values than the statistics count is accepted: sketches-js double-counts a bin when it collapses', () => {
    // 1 µs to ~6 days: wider than 2,048 bins hold, so the sketch collapses its lowest bins.
    const values = Array.from({ length: 5000 }, (_, i) => 0.001 * 1.005 ** i);
    const collapsed = base64Of(sketchOf(values));
    expect(decodeSketch(collapsed).count).toBeGreaterThan(values.length);
    expect(sketchProblem(collapsed, values.length)).toBeUndefined();
  });

  it('with bins that are not counts, or negative values', () => {
    const negative = sketchOf([4, 9]);
    negative.store.bins[negative.store.bins.findIndex((b) => b > 0)] = -1;
    expect(sketchProblem(base64Of(negative), 0)).toBe('has a bin that is not a count');
    const nan = sketchOf([4, 9]);
    nan.store.bins[0] = Number.NaN;
    expect(sketchProblem(base64Of(nan), 2)).toBe('has a bin that is not a count');
    const below = new DDSketch({ relativeAccuracy: 0.005 });
    below.accept(-5);
    expect(sketchProblem(base64Of(below), 1)).toBe('has negative values');
  });

  it(`with more than ${SKETCH_BIN_LIMIT} bins (which this version never writes, and would carry forever)`, () => {
    const unbounded = new DDSketch({ relativeAccuracy: 0.005 });
    const values = Array.from({ length: 3000 }, (_, i) => 0.001 * 1.011 ** i);
    for (const v of values) unbounded.accept(v);
    expect(sketchProblem(base64Of(unbounded), values.length)).toBe(`has more than ${SKETCH_BIN_LIMIT} bins`);
  });
});
