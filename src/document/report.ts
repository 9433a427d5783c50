import type { z } from 'zod';
import type { ALERT_KINDS, ALERT_STATES, ReportSchemas, SESSION_STATUSES } from './schema.js';

export { ALERT_KINDS, ALERT_STATES, MAX_ALERT_TEXT, MAX_ALERTS_PER_SESSION, MAX_RECOMMENDATIONS, RECOMMENDATION_SEVERITIES, REPORT_SCHEMA_VERSION, SESSION_STATUSES } from './schema.js';

/** Duration statistics of a set of calls, as reports show them. Milliseconds, rounded to the microsecond. */
export type DurationStats = z.output<ReportSchemas['durationStats']>;
/** Statistics of one operation type, with the same statistics per tool. */
export type OperationStats = z.output<ReportSchemas['operationStats']>;
/** The agent a session's calls came from. */
export type AgentInfo = z.output<ReportSchemas['agentInfo']>;
/** One of the most recent calls of a session (at most `maxMetrics` are kept). */
export type RecentCall = z.output<ReportSchemas['recentCall']>;
/** What to change, from a session's own numbers: one rule's finding for one tool, with its evidence. */
export type Recommendation = z.output<ReportSchemas['recommendation']>;
/** `info`, `warning` or `critical`. */
export type RecommendationSeverity = Recommendation['severity'];
/** One alert of a session, as its report stores it (see `Alert` in the schema). */
export type SessionAlert = z.output<ReportSchemas['alert']>;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type AlertState = (typeof ALERT_STATES)[number];
/** A session's performance report: exact statistics over every call, per operation type and per tool. */
export type SessionReport = z.output<ReportSchemas['sessionReport']>;
/** What a report stores to continue a tool's statistics later, exactly. */
export type StatsState = z.output<ReportSchemas['statsState']>;
export type StoredOperationState = z.output<ReportSchemas['operationState']>;
/** What a store keeps: the report plus the state that lets a later process continue it exactly. */
export type StoredSessionReport = z.output<ReportSchemas['storedSessionReport']>;
/** A line of the session list, as stored: what does not change until the session's next call. */
export type SessionSummary = z.output<ReportSchemas['sessionSummary']>;
/** `active` (a call lately), `idle` (none for a while), or `ended`: see `Reports.listSessions`. */
export type SessionStatus = (typeof SESSION_STATUSES)[number];
/** A line of the session list as read: the summary and the session's status at the time of reading. */
export type ListedSession = z.output<ReportSchemas['listedSession']>;

export { summarize } from './session-summary.js';

/** The public report of a stored one: without the merge state. */
export function toPublicReport(stored: StoredSessionReport): SessionReport {
  const { aggregates, writers, ...report } = stored;
  return report;
}
