import type { StoredSessionReport } from '../../src/document/report.js';
import type { ReportStore } from '../../src/storage/report-store.js';

/** The sessions that report servers and trackers on one store share in the multi-instance tests. */
export function sharedSessionId(i: number): string {
  return `ses_${i.toString().padStart(4, '0')}`;
}

/** A store several processes open at once: how `serve` and a tracker name it, and a reader of it. */
export interface SharedStore {
  readonly name: string;
  /** For `toolperf serve`: `--data-dir <dir>` or `--store <url>`. */
  readonly serveArgs: readonly string[];
  /** For test/fixtures/store-tracker.ts: the directory or the URL. */
  readonly location: string;
  /** A store over it, to read what the processes wrote. */
  open(): ReportStore;
}

/**
 * Why a stored report does not add up (undefined when it does): every operation's count, errors
 * and error types equal the sum over its tools, in the report and in the merge state, and every
 * sketch holds as many values as its statistics counted. A write torn between two writers, or
 * applied twice, breaks one of these.
 */
export function reportProblem(report: StoredSessionReport): string | undefined {
  for (const [type, operation] of Object.entries(report.operations)) {
    const state = report.aggregates[type];
    if (state === undefined) return `${type}: no merge state`;
    const tools = Object.values(operation.tools);
    const sum = (pick: (t: (typeof tools)[number]) => number) => tools.reduce((s, t) => s + pick(t), 0);
    if (sum((t) => t.count) !== operation.count) return `${type}: tools count ${sum((t) => t.count)}, operation ${operation.count}`;
    if (sum((t) => t.errors) !== operation.errors) return `${type}: tools errors ${sum((t) => t.errors)}, operation ${operation.errors}`;
    if (state.all.count !== operation.count) return `${type}: state count ${state.all.count}, report ${operation.count}`;
    for (const [name, stats] of [['(all)', state.all] as const, ...Object.entries(state.tools)]) {
      const inSketch = stats.sketch.counts.reduce((s, n) => s + n, 0) + (stats.sketch.zeros ?? 0);
      if (inSketch !== stats.count) return `${type}/${name}: sketch holds ${inSketch}, count ${stats.count}`;
      const errorTypes = Object.values(stats.errorTypes).reduce((s, n) => s + n, 0);
      if (errorTypes !== stats.errors) return `${type}/${name}: error types ${errorTypes}, errors ${stats.errors}`;
    }
  }
  return undefined;
}
