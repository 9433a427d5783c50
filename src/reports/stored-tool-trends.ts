import type { StoredToolTotals } from '../storage/report-store.js';
import { describeError, type FailureLog } from '../util/logger.js';
import { RunningStats } from './running-stats.js';
import { compareTrends, rate, type ToolTrend } from './tool-trends.js';

/**
 * Tool trends from a store that keeps per-tool totals (`ReportStore.toolTotals`): each tool's parts
 * merged into exact totals and percentiles, its recent uses as its trend. Most calls first.
 */
export function trendsOfTotals(totals: readonly StoredToolTotals[], failures: FailureLog): ToolTrend[] {
  const trends: ToolTrend[] = [];
  for (const tool of totals) {
    const merged = new RunningStats();
    for (const part of tool.parts) {
      try {
        merged.mergeState(part);
      } catch (error) {
        failures.fail('merge', `tool trends: leaving out part of ${tool.toolName}'s statistics: ${describeError(error)}`);
      }
    }
    const total = merged.toStats();
    if (total.count === 0) continue;
    trends.push({
      toolName: tool.toolName,
      operationType: tool.operationType,
      calls: total.count,
      errors: total.errors,
      errorRate: rate(total.errors, total.count),
      p50Ms: total.p50Ms,
      p95Ms: total.p95Ms,
      errorTypes: total.errorTypes,
      sessions: tool.sessions,
      trend: tool.recent.map((use) => ({ sessionId: use.sessionId, startedAt: use.startedAt, calls: use.calls, errorRate: rate(use.errors, use.calls), p50Ms: use.p50Ms, p95Ms: use.p95Ms })),
    });
  }
  return trends.sort(compareTrends);
}
