import type { DurationStats, StatsState } from '../document/report.js';
import type { StoredToolTotals } from '../storage/report-store.js';
import { describeError, FailureLog, type Logger } from '../util/logger.js';
import { RunningStats } from './running-stats.js';
import { compareTrends, rate, type ToolTrend } from './tool-trends.js';

/**
 * Tool trends from a store that keeps per-tool totals (`ReportStore.toolTotals`): each tool's parts
 * merged into exact totals and percentiles, its recent uses as its trend; most calls first. A
 * tool whose parts are the same objects as last time (the store hands out a part again while it
 * has not changed) keeps its merged totals: a query where nothing changed merges nothing.
 */
export class StoredToolTrends {
  private readonly failures: FailureLog;
  private merged = new Map<string, { readonly parts: readonly StatsState[]; readonly total: DurationStats }>();

  constructor(logger: Logger) {
    this.failures = new FailureLog(logger);
  }

  trends(totals: readonly StoredToolTotals[]): ToolTrend[] {
    const merged = new Map<string, { readonly parts: readonly StatsState[]; readonly total: DurationStats }>();
    const trends: ToolTrend[] = [];
    for (const tool of totals) {
      const key = `${tool.operationType}\u0000${tool.toolName}`;
      const last = this.merged.get(key);
      const total = last !== undefined && sameParts(last.parts, tool.parts) ? last.total : this.merge(tool);
      merged.set(key, { parts: tool.parts, total });
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
    this.merged = merged;
    return trends.sort(compareTrends);
  }

  private merge(tool: StoredToolTotals): DurationStats {
    const stats = new RunningStats();
    for (const part of tool.parts) {
      try {
        stats.mergeState(part);
      } catch (error) {
        this.failures.fail('merge', `tool trends: leaving out part of ${tool.toolName}'s statistics: ${describeError(error)}`);
      }
    }
    return stats.toStats();
  }
}

function sameParts(a: readonly StatsState[], b: readonly StatsState[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}
