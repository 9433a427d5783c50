import type { StoredSessionReport } from '../document/report.js';
import { sketchProblem } from '../document/stored-sketch.js';

/** Throws unless every sketch of `stored` decodes and fits its count (see `sketchProblem`). */
export function assertSketchesMerge(stored: StoredSessionReport): void {
  for (const [type, operation] of Object.entries(stored.aggregates)) {
    for (const [name, state] of [['(all)', operation.all], ...Object.entries(operation.tools)] as const) {
      const problem = sketchProblem(state.sketch, state.count);
      if (problem !== undefined) throw new Error(`the sketch of ${type} ${name} does not merge: ${problem}`);
    }
  }
}
