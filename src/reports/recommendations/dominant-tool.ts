import type { Recommendation } from '../../document/report.js';
import { formatMs, formatShare, roundMs, roundRatio, type Rule } from './rule.js';

/** A tool that takes more than this share of its operation type's time in the session dominates it. */
export const DOMINANT_SHARE = 0.6;
/** From this share on, `warning` rather than `info`. */
export const DOMINANT_WARNING_SHARE = 0.8;
/** Calls of the operation type the session needs before one tool's share means anything. */
export const DOMINANT_MIN_CALLS = 5;
/** The saving estimated: what making the tool this much faster (half its time) would save. */
export const DOMINANT_ASSUMED_SPEEDUP = 0.5;

/**
 * `dominant-tool`: one tool takes most of the session's time of its operation type (with at least
 * two tools: a session of one tool has nothing to choose from). Where speed-ups pay.
 */
export const dominantTool: Rule = ({ operations }) => {
  const found: Recommendation[] = [];
  for (const [operationType, operation] of Object.entries(operations)) {
    const tools = Object.entries(operation.tools).filter(([, stats]) => stats.count > 0);
    if (operation.count < DOMINANT_MIN_CALLS || tools.length < 2 || !(operation.totalMs > 0)) continue;
    for (const [tool, stats] of tools) {
      const share = stats.totalMs / operation.totalMs;
      if (!(share > DOMINANT_SHARE)) continue;
      const saving = stats.totalMs * DOMINANT_ASSUMED_SPEEDUP;
      found.push({
        kind: 'dominant-tool',
        operationType,
        tool,
        severity: share >= DOMINANT_WARNING_SHARE ? 'warning' : 'info',
        evidence: {
          share: roundRatio(share),
          toolMs: roundMs(stats.totalMs),
          operationMs: roundMs(operation.totalMs),
          calls: stats.count,
          meanMs: stats.meanMs,
          p95Ms: stats.p95Ms,
          tools: tools.length,
        },
        estimatedSavingMs: roundMs(saving),
        advice:
          `${tool} takes ${formatShare(share)} of this session's ${operationType} time (${formatMs(stats.totalMs)} of ${formatMs(operation.totalMs)}, ` +
          `${stats.count} calls, mean ${formatMs(stats.meanMs)}): speed-ups pay here first. Cache its results, narrow what it reads or runs, ` +
          `or make it faster; halving its time would save ${formatMs(saving)}.`,
      });
    }
  }
  return found;
};
