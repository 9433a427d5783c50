import type { SessionStatus, SessionSummary } from './report.js';

/*
 * The words of a session list query (filter, sort, position), shared by the reports, which answer
 * it in memory (`selectSessions`), and the stores that answer it themselves (PostgreSQL, in SQL).
 */

/**
 * Which sessions a list shows. Every field narrows it; an absent field does not. Add a field here
 * and TypeScript asks for its predicate in `PREDICATES` (`reports/session-query.ts`).
 */
export interface SessionFilter {
  /** Sessions with one of these statuses. */
  readonly status?: readonly SessionStatus[];
  /** true: sessions with a failed call; false: sessions without one. */
  readonly hasErrors?: boolean;
  /** Sessions that called this tool (among the tools their summaries list). */
  readonly tool?: string;
  /** Sessions updated at or after this time (epoch milliseconds). */
  readonly since?: number;
  /** Sessions updated at or before this time (epoch milliseconds). */
  readonly until?: number;
  /** Sessions whose ID holds this text, any case. */
  readonly search?: string;
  /** Sessions whose calls came from this agent (`SessionSummary.agent.name`: `claude-code`, `codex`, ...). */
  readonly agent?: string;
}

/** The summary fields a list can be sorted by. */
export const SESSION_SORT_FIELDS = ['updatedAt', 'startedAt', 'calls', 'toolCalls', 'errors', 'toolErrors', 'durationMs', 'errorRate'] as const;
export type SessionSortField = (typeof SESSION_SORT_FIELDS)[number];
export type SortOrder = 'asc' | 'desc';

export interface SessionSort {
  readonly by: SessionSortField;
  readonly order: SortOrder;
}

/** Newest update first: the list's order unless told otherwise. */
export const DEFAULT_SESSION_SORT: SessionSort = { by: 'updatedAt', order: 'desc' };

/**
 * Where a page starts: just after this session in the list's order. Pass the last session of the
 * previous page; only its ID and the sort field are read.
 */
export type SessionPosition = Pick<SessionSummary, 'sessionId'> & Partial<Pick<SessionSummary, SessionSortField>>;
