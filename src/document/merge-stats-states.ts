import type { StatsState } from './report.js';
import { encodeSketch, mergeStoredSketch, newSketch } from './stored-sketch.js';

/** Distinct error types a merged state keeps (`MAX_ERROR_TYPES` of the running statistics); the rest count as `_OTHER`. */
const MAX_ERROR_TYPES = 32;
const OTHER = '_OTHER';

/**
 * Several stored statistics as one, exactly as `RunningStats.mergeState` would make them (Chan et
 * al.'s merge of the moments, the sketches' bins added), without the running statistics: what a
 * store keeps of many sessions' calls of a tool (the PostgreSQL store's tool buckets). Throws for a
 * sketch that does not decode.
 */
export function mergeStatsStates(states: readonly StatsState[]): StatsState {
  const sketch = newSketch();
  let count = 0;
  let errors = 0;
  let sum = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  const errorTypes = new Map<string, number>();
  for (const state of states) {
    if (state.count === 0) continue;
    mergeStoredSketch(sketch, state.sketch);
    const total = count + state.count;
    const delta = state.meanMs - mean;
    m2 += state.m2 + (delta * delta * count * state.count) / total;
    mean += (delta * state.count) / total;
    count = total;
    sum += state.sumMs;
    min = Math.min(min, state.minMs);
    max = Math.max(max, state.maxMs);
    for (const [type, n] of Object.entries(state.errorTypes)) {
      errors += n;
      const key = errorTypes.has(type) || errorTypes.size < MAX_ERROR_TYPES ? type : OTHER;
      errorTypes.set(key, (errorTypes.get(key) ?? 0) + n);
    }
  }
  return {
    count,
    errors,
    sumMs: sum,
    meanMs: mean,
    m2,
    minMs: count ? min : 0,
    maxMs: count ? max : 0,
    errorTypes: Object.fromEntries(errorTypes),
    sketch: encodeSketch(sketch),
  };
}
