import type { z } from 'zod';
import type { ReportSchemas } from './schema.js';

export { REPORT_SCHEMA_VERSION } from './schema.js';

/** Duration statistics of a set of calls, as reports show them. Milliseconds, rounded to the microsecond. */
export type DurationStats = z.output<ReportSchemas['durationStats']>;
/** Statistics of one operation type, with the same statistics per tool. */
export type OperationStats = z.output<ReportSchemas['operationStats']>;
/** The agent a session's calls came from. */
export type AgentInfo = z.output<ReportSchemas['agentInfo']>;
/** One of the most recent calls of a session (at most `maxMetrics` are kept). */
export type RecentCall = z.output<ReportSchemas['recentCall']>;
/** A session's performance report: exact statistics over every call, per operation type and per tool. */
export type SessionReport = z.output<ReportSchemas['sessionReport']>;
/** What a report stores to continue a tool's statistics later, exactly. */
export type StatsState = z.output<ReportSchemas['statsState']>;
export type StoredOperationState = z.output<ReportSchemas['operationState']>;
/** What a store keeps: the report plus the state that lets a later process continue it exactly. */
export type StoredSessionReport = z.output<ReportSchemas['storedSessionReport']>;
/** A line of the session list. */
export type SessionSummary = z.output<ReportSchemas['sessionSummary']>;

/** The public report of a stored one: without the merge state. */
export function toPublicReport(stored: StoredSessionReport): SessionReport {
  const { aggregates, writers, ...report } = stored;
  return report;
}

export function summarize(report: SessionReport): SessionSummary {
  let calls = 0;
  let errors = 0;
  for (const op of Object.values(report.operations)) {
    calls += op.count;
    errors += op.errors;
  }
  const { sessionId, startedAt, updatedAt, endedAt, agent } = report;
  const summary: SessionSummary = { sessionId, startedAt, updatedAt, calls, errors };
  if (endedAt !== undefined) summary.endedAt = endedAt;
  if (agent !== undefined) summary.agent = agent;
  return summary;
}
