import type { DurationStats, StatsState } from '../reports/running-stats.js';

export type { DurationStats } from '../reports/running-stats.js';

/** Version of the report document; a reader refuses versions newer than it knows. */
export const REPORT_SCHEMA_VERSION = 1;

/** Statistics of one operation type, with the same statistics per tool. */
export interface OperationStats extends DurationStats {
  readonly tools: Readonly<Record<string, DurationStats>>;
}

/** One of the most recent calls of a session (at most `maxMetrics` are kept). */
export interface RecentCall {
  readonly operationType: string;
  readonly toolName: string;
  readonly callId?: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly errorType?: string;
  readonly traceId?: string;
  readonly spanId?: string;
}

/** A session's performance report: exact statistics over every call, per operation type and per tool. */
export interface SessionReport {
  readonly schemaVersion: number;
  readonly sessionId: string;
  /** ISO 8601: the first call's start. */
  readonly startedAt: string;
  /** ISO 8601: the last call's end (or the session's end). */
  readonly updatedAt: string;
  /** ISO 8601, once `endSession` was called; cleared if calls arrive after. */
  readonly endedAt?: string;
  readonly operations: Readonly<Record<string, OperationStats>>;
  /** Oldest first. */
  readonly recent: readonly RecentCall[];
}

/** What a store keeps: the report plus the state that lets a later process continue it exactly. */
export interface StoredSessionReport extends SessionReport {
  readonly aggregates: Readonly<Record<string, StoredOperationState>>;
}

export interface StoredOperationState {
  readonly all: StatsState;
  readonly tools: Readonly<Record<string, StatsState>>;
}

/** A line of the session list. */
export interface SessionSummary {
  readonly sessionId: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly endedAt?: string;
  readonly calls: number;
  readonly errors: number;
}

/** The public report of a stored one: without the merge state. */
export function toPublicReport(stored: StoredSessionReport): SessionReport {
  const { aggregates, ...report } = stored;
  return report;
}

export function summarize(report: SessionReport): SessionSummary {
  let calls = 0;
  let errors = 0;
  for (const op of Object.values(report.operations)) {
    calls += op.count;
    errors += op.errors;
  }
  const { sessionId, startedAt, updatedAt, endedAt } = report;
  return endedAt === undefined
    ? { sessionId, startedAt, updatedAt, calls, errors }
    : { sessionId, startedAt, updatedAt, endedAt, calls, errors };
}
