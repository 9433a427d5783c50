import type * as SketchesModule from '@datadog/sketches-js';
import type { DDSketch } from '@datadog/sketches-js';
import { requireLazily } from '../util/require-lazily.js';

/**
 * Percentiles are within 0.5% of the true value at their rank: half of the 2% that reports promise
 * against an independent measurement, leaving the rest for what the span itself adds. Stored keys
 * mean values of this accuracy's mapping: changing it changes what every stored sketch means, so it
 * takes a new `REPORT_SCHEMA_VERSION` and a migration.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.005;
/** Caps a sketch at 2048 bins however wide the durations range: 1 µs to ~13 min fit uncollapsed. */
export const SKETCH_BIN_LIMIT = 2048;

/**
 * A sketch as stored: its non-empty bins only (a session's sketch holds a few dozen of its up to
 * 2,048 bins; the dense protobuf of schemaVersion 1 was 80% of a report file, mostly zeros).
 * `keys` are the logarithmic mapping's bin keys at `SKETCH_RELATIVE_ACCURACY`, ascending;
 * `counts` the values in each; `zeros` the values of 0 ms, if any.
 */
export interface StoredSketch {
  keys: number[];
  counts: number[];
  zeros?: number | undefined;
}

let sketchesModule: typeof SketchesModule | undefined;

/** The sketch library, loaded at the first sketch made or read: importing the reports costs nothing until then. */
export function sketches(): typeof SketchesModule {
  return (sketchesModule ??= requireLazily<typeof SketchesModule>('@datadog/sketches-js'));
}

/** An empty sketch with the parameters every stored sketch shares (so that any two merge). */
export function newSketch(): DDSketch {
  return new (sketches().LogCollapsingLowestDenseDDSketch)({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY, binLimit: SKETCH_BIN_LIMIT });
}

/** The non-empty bins of a sketch made by `newSketch` (durations: it has no negative values). */
export function encodeSketch(sketch: DDSketch): StoredSketch {
  const { bins, offset } = sketch.store;
  const keys: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < bins.length; i++) {
    const count = bins[i] as number;
    // Not `=== 0`: a bin that is not a positive count (see `mergeSketch`) must never be written as null.
    if (!(count > 0)) continue;
    keys.push(i + offset);
    counts.push(count);
  }
  return sketch.zeroCount > 0 ? { keys, counts, zeros: sketch.zeroCount } : { keys, counts };
}

/**
 * A stored sketch as a sketch to merge and query. Throws for one that `sketchProblem` refuses: a
 * store that does not check what it hands out (the file store does) must not make a merge go wrong.
 */
export function decodeSketch(stored: StoredSketch): DDSketch {
  const sketch = newSketch();
  mergeStoredSketch(sketch, stored);
  return sketch;
}

/**
 * Adds a stored sketch's values to `target` (a sketch made by `newSketch`), bin by bin. Throws,
 * before changing `target`, for a stored sketch that `sketchProblem` refuses.
 */
export function mergeStoredSketch(target: DDSketch, stored: StoredSketch): void {
  const problem = sketchProblem(stored, 0);
  if (problem !== undefined) throw new Error(`the stored sketch ${problem}`);
  const { keys, counts } = stored;
  const before = target.store.count;
  for (let i = 0; i < keys.length; i++) target.store.add(keys[i] as number, counts[i] as number);
  const zeros = stored.zeros ?? 0;
  target.zeroCount += zeros;
  // The library keeps the total beside its stores; merging and ranks read it.
  target.count += target.store.count - before + zeros;
}

/**
 * Adds `source`'s values to `target` bin by bin, instead of sketches-js 2.1.1's `merge`: merging
 * two collapsing stores whose key ranges lie far apart leaves NaN bins there (a real two-server
 * test stored one as null; a seeded fuzz of merges found 572 in 20,000), where adding each bin
 * collapses as a single value would.
 */
export function mergeSketch(target: DDSketch, source: DDSketch): void {
  if (source.count === 0) return;
  const { bins, offset } = source.store;
  for (let i = 0; i < bins.length; i++) {
    const count = bins[i] as number;
    if (count > 0) target.store.add(i + offset, count);
  }
  target.zeroCount += source.zeroCount;
  target.count += source.count;
  target.sum += source.sum;
  if (source.min < target.min) target.min = source.min;
  if (source.max > target.max) target.max = source.max;
}

/**
 * Why a stored sketch of `count` calls cannot be merged into this version's sketches, or undefined
 * if it can. The reader decodes and merges every sketch it loads, and a report that passed the
 * check must never throw there (inside a write, far from the file), yield NaN percentiles (which
 * would make the next write a report that no longer passes) or make a sketch allocate more than
 * its bin limit: so keys are whole, ascending, within what the mapping can mean and at most
 * `SKETCH_BIN_LIMIT` apart, and counts positive.
 */
export function sketchProblem(stored: StoredSketch, count: number): string | undefined {
  const { keys, counts } = stored;
  const zeros = stored.zeros ?? 0;
  if (keys.length !== counts.length) return 'has keys and counts of different lengths';
  if (keys.length > SKETCH_BIN_LIMIT) return `has more than ${SKETCH_BIN_LIMIT} bins`;
  if (!counts.every(isPositive) || !(zeros === 0 || isPositive(zeros))) return 'has a bin that is not a count';
  const { lowest, highest } = keyRange();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as number;
    if (!Number.isInteger(key) || key < lowest || key > highest) return 'has a key outside the sketch\'s range';
    if (i > 0 && key <= (keys[i - 1] as number)) return 'has keys out of order';
  }
  if (keys.length > 0 && (keys.at(-1) as number) - (keys[0] as number) >= SKETCH_BIN_LIMIT) return `spans more than ${SKETCH_BIN_LIMIT} bins`;
  // Percentiles of an empty sketch are NaN. Its count may otherwise differ from the statistics':
  // sketches-js 2.1.1 double-counts a bin when it collapses (`sumOfRange` includes its end), so
  // sketches this version wrote itself can hold a few more values than the calls they stand for.
  if (count > 0 && keys.length === 0 && zeros === 0) return `holds no values where the statistics count ${count}`;
  return undefined;
}

let range: { readonly lowest: number; readonly highest: number } | undefined;

/** The keys of the smallest and largest value the mapping can place. */
function keyRange(): { readonly lowest: number; readonly highest: number } {
  if (range === undefined) {
    const { mapping } = newSketch();
    range = { lowest: mapping.key(mapping.minPossible), highest: mapping.key(mapping.maxPossible) };
  }
  return range;
}

function isPositive(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}
