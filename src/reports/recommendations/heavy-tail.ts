import type { Recommendation } from '../../document/report.js';
import { formatMs, roundMs, roundRatio, type Rule } from './rule.js';

/** Calls a tool needs before its p99 means anything. */
export const HEAVY_TAIL_MIN_CALLS = 20;
/** p99 / p50 from which a tool's tail is heavy. */
export const HEAVY_TAIL_RATIO = 10;
/** ... and p99 − p50 at least this (a tail of microseconds is no matter). */
export const HEAVY_TAIL_MIN_SPREAD_MS = 100;
/** From this p99 / p50 on, `critical` rather than `warning`. */
export const HEAVY_TAIL_CRITICAL_RATIO = 100;

/**
 * `heavy-tail`: a tool's slowest calls take many times its median (timeouts, cold starts, network).
 * The saving estimated: the slowest 1% of its calls (at least one) brought down to the median,
 * each at least p99 − p50: a floor, since the calls past p99 are slower still.
 */
export const heavyTail: Rule = ({ operations }) => {
  const found: Recommendation[] = [];
  for (const [operationType, operation] of Object.entries(operations)) {
    for (const [tool, stats] of Object.entries(operation.tools)) {
      if (stats.count < HEAVY_TAIL_MIN_CALLS) continue;
      const spread = stats.p99Ms - stats.p50Ms;
      // A median of 0 (calls under the sketch's resolution) counts as a microsecond.
      const ratio = stats.p99Ms / Math.max(stats.p50Ms, 0.001);
      if (ratio < HEAVY_TAIL_RATIO || spread < HEAVY_TAIL_MIN_SPREAD_MS) continue;
      const tailCalls = Math.max(1, Math.floor(stats.count * 0.01));
      const saving = tailCalls * spread;
      found.push({
        kind: 'heavy-tail',
        operationType,
        tool,
        severity: ratio >= HEAVY_TAIL_CRITICAL_RATIO ? 'critical' : 'warning',
        evidence: { calls: stats.count, p50Ms: stats.p50Ms, p99Ms: stats.p99Ms, maxMs: stats.maxMs, ratio: roundRatio(ratio) },
        estimatedSavingMs: roundMs(saving),
        advice:
          `The slowest 1% of ${tool}'s calls take ${Math.round(ratio)}× its median (p99 ${formatMs(stats.p99Ms)}, p50 ${formatMs(stats.p50Ms)}, ` +
          `max ${formatMs(stats.maxMs)}): timeouts, cold starts or network stalls. Give it a timeout below the tail and retry, warm it up, ` +
          `or cache what it fetches; bringing the slowest 1% down to the median would save at least ${formatMs(saving)}.`,
      });
    }
  }
  return found;
};
