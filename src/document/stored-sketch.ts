import type * as SketchesModule from '@datadog/sketches-js';
import type { DDSketch } from '@datadog/sketches-js';
import { requireLazily } from '../util/require-lazily.js';

/**
 * Percentiles are within 0.5% of the true value at their rank: half of the 2% that reports promise
 * against an independent measurement, leaving the rest for what the span itself adds.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.005;
/** Caps a sketch at 2048 bins (~16 KiB) however wide the durations range: 1 µs to ~13 min fit uncollapsed. */
export const SKETCH_BIN_LIMIT = 2048;

let sketchesModule: typeof SketchesModule | undefined;

/** The sketch library, loaded at the first sketch made or read: importing the reports costs nothing until then. */
function sketches(): typeof SketchesModule {
  return (sketchesModule ??= requireLazily<typeof SketchesModule>('@datadog/sketches-js'));
}

/** An empty sketch with the parameters every stored sketch shares (so that any two merge). */
export function newSketch(): DDSketch {
  return new (sketches().LogCollapsingLowestDenseDDSketch)({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY, binLimit: SKETCH_BIN_LIMIT });
}

/** A stored sketch (protobuf, base64); throws if the bytes do not decode. */
export function decodeSketch(base64: string): DDSketch {
  return sketches().DDSketch.fromProto(Buffer.from(base64, 'base64'));
}

/**
 * Why a stored sketch of `count` calls cannot be merged into this version's sketches, or undefined
 * if it can. The reader decodes and merges every sketch it loads, and a report that passed the
 * check must never throw there (inside a write, far from the file) nor yield NaN percentiles
 * (which would make the next write a report that no longer passes): so the check decodes it as
 * the reader will, checks that it merges, and the counts the percentiles are computed from.
 * Decoding costs ~80 µs a sketch (measured: ~1.7 ms for a report of 20 tools).
 */
export function sketchProblem(base64: string, count: number): string | undefined {
  let decoded: DDSketch;
  try {
    decoded = decodeSketch(base64);
  } catch {
    // The library's message may quote the bytes; it adds nothing a reader could act on.
    return 'does not decode';
  }
  const { store, negativeStore, zeroCount } = decoded;
  if (store.bins.length > SKETCH_BIN_LIMIT) return `has more than ${SKETCH_BIN_LIMIT} bins`;
  if (!store.bins.every(isCount) || !negativeStore.bins.every(isCount) || !isCount(zeroCount)) return 'has a bin that is not a count';
  // Durations are never negative, and `merge` would drop negative values while still counting them.
  if (negativeStore.count !== 0) return 'has negative values';
  // Percentiles of an empty sketch are NaN. Its count may otherwise differ from the statistics':
  // sketches-js 2.1.1 double-counts a bin when it collapses (`sumOfRange` includes its end), so
  // sketches this version wrote itself can hold a few more values than the calls they stand for.
  if (count > 0 && !(decoded.count > 0)) return `holds no values where the statistics count ${count}`;
  // What `merge` requires (the same gamma), and what makes keys mean the same values (the same
  // mapping and offset): compared with one empty sketch, not merged into a new one per sketch read.
  reference ??= newSketch();
  const { mapping } = decoded;
  if (!reference.mergeable(decoded) || mapping.constructor !== reference.mapping.constructor || mapping.key(1) !== reference.mapping.key(1)) {
    return 'was made with other sketch parameters';
  }
  return undefined;
}

/** An empty sketch to compare parameters with. */
let reference: DDSketch | undefined;

function isCount(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}
