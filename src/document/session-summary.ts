import type { AgentInfo, SessionAlert, SessionReport, SessionSummary } from './report.js';

/** The operation type of tool calls (`OPERATION_TOOL_EXECUTION`): counted apart in a summary. */
export const TOOL_OPERATION = 'tool-execution';
/** Tool names a summary lists, most calls first: enough for any agent's tool set, bounded for any input. */
export const MAX_SUMMARY_TOOLS = 32;

type SessionTimes = Pick<SessionSummary, 'startedAt' | 'updatedAt' | 'endedAt'>;

/**
 * Adds up what a session's list line shows, from a report's statistics or an aggregate's, or both
 * (a live session: its stored report plus the calls since), without merging any statistics.
 */
export class SummaryTally {
  private calls = 0;
  private errors = 0;
  private toolCalls = 0;
  private toolErrors = 0;
  private readonly tools = new Map<string, number>();

  /** One operation type's counts, and each of its tools' calls (`count` by name). */
  addOperation(type: string, count: number, errors: number, tools: Iterable<readonly [name: string, count: number]>): void {
    this.calls += count;
    this.errors += errors;
    if (type === TOOL_OPERATION) {
      this.toolCalls += count;
      this.toolErrors += errors;
    }
    for (const [name, n] of tools) this.tools.set(name, (this.tools.get(name) ?? 0) + n);
  }

  /** The summary of what was added, with the session's times, the agent its calls came from and its alerts, if any. */
  summary(sessionId: string, times: SessionTimes, agent?: AgentInfo, alerts?: readonly Pick<SessionAlert, 'state'>[]): SessionSummary {
    const { startedAt, updatedAt, endedAt } = times;
    const tools = [...this.tools]
      .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, MAX_SUMMARY_TOOLS)
      .map(([name]) => name);
    return {
      sessionId,
      startedAt,
      updatedAt,
      ...(endedAt === undefined ? {} : { endedAt }),
      ...(agent === undefined ? {} : { agent: { ...agent } }),
      calls: this.calls,
      errors: this.errors,
      toolCalls: this.toolCalls,
      toolErrors: this.toolErrors,
      errorRate: this.calls === 0 ? 0 : Math.round((this.errors / this.calls) * 1e4) / 1e4,
      // From the first call's start to the last call's end: the session's wall time so far.
      durationMs: Math.max(0, Date.parse(updatedAt) - Date.parse(startedAt)),
      tools,
      ...(alerts === undefined || alerts.length === 0 ? {} : { alerts: alerts.length, firingAlerts: alerts.filter((a) => a.state === 'firing').length }),
    };
  }
}

/** A report's list line. */
export function summarize(report: SessionReport): SessionSummary {
  const tally = new SummaryTally();
  for (const [type, op] of Object.entries(report.operations)) {
    tally.addOperation(type, op.count, op.errors, Object.entries(op.tools).map(([name, stats]) => [name, stats.count] as const));
  }
  return tally.summary(report.sessionId, report, report.agent, report.alerts);
}
