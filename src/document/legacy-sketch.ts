import type { DDSketch } from '@datadog/sketches-js';
import { encodeSketch, newSketch, sketches, SKETCH_BIN_LIMIT, type StoredSketch } from './stored-sketch.js';

/**
 * Sketches as schemaVersion 1 stored them: the library's dense protobuf, base64. Read (and turned
 * into `StoredSketch`) so that reports written before schemaVersion 2 still load; never written.
 */

/**
 * The stored sketch of `count` calls as schemaVersion 2 stores it, or why it cannot be merged into
 * this version's sketches. The check decodes it as the reader will, checks that it merges, and the
 * counts the percentiles are computed from (decoding costs ~80 µs a sketch).
 */
export function migrateLegacySketch(base64: string, count: number): StoredSketch | string {
  let decoded: DDSketch;
  try {
    decoded = sketches().DDSketch.fromProto(Buffer.from(base64, 'base64'));
  } catch {
    // The library's message may quote the bytes; it adds nothing a reader could act on.
    return 'does not decode';
  }
  const { store, negativeStore, zeroCount } = decoded;
  if (store.bins.length > SKETCH_BIN_LIMIT) return `has more than ${SKETCH_BIN_LIMIT} bins`;
  if (!store.bins.every(isCount) || !negativeStore.bins.every(isCount) || !isCount(zeroCount)) return 'has a bin that is not a count';
  // Durations are never negative, and `merge` would drop negative values while still counting them.
  if (negativeStore.count !== 0) return 'has negative values';
  // sketches-js 2.1.1 double-counts a bin when it collapses, so the sketch may hold a few more values than `count`.
  if (count > 0 && !(decoded.count > 0)) return `holds no values where the statistics count ${count}`;
  // What `merge` requires (the same gamma), and what makes keys mean the same values (the same
  // mapping and offset): compared with one empty sketch, not merged into a new one per sketch read.
  reference ??= newSketch();
  const { mapping } = decoded;
  if (!reference.mergeable(decoded) || mapping.constructor !== reference.mapping.constructor || mapping.key(1) !== reference.mapping.key(1)) {
    return 'was made with other sketch parameters';
  }
  return encodeSketch(decoded);
}

/** An empty sketch to compare parameters with. */
let reference: DDSketch | undefined;

function isCount(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}
