import type { DurationStats, OperationStats, SessionReport, SessionSummary } from '../document/report.js';
import { assertValidSessionId } from '../util/session-id.js';
import { compareNewestFirst } from './session-order.js';
import type { SessionRegistry } from './session-registry.js';
import { ToolTrendIndex, type ToolTrend } from './tool-trends.js';
import { ownEntry } from '../util/own-record.js';

export interface SessionQuery {
  readonly sessionId: string;
}

export interface OperationStatsQuery extends SessionQuery {
  /** E.g. `tool-execution`. */
  readonly operationType: string;
  /** One tool's statistics instead of the operation type's. */
  readonly toolName?: string;
}

/** Where a page of sessions starts: just after this session in the list's order. */
export interface SessionPosition {
  readonly updatedAt: string;
  readonly sessionId: string;
}

export interface SessionPageQuery {
  /** Sessions per page. */
  readonly limit: number;
  /** The last session of the previous page; omitted for the first page. */
  readonly after?: SessionPosition;
}

export interface SessionPage {
  readonly sessions: SessionSummary[];
  /** Whether sessions follow this page. */
  readonly hasMore: boolean;
}

export interface ToolTrendsQuery {
  /** Points per tool's trend: the last sessions that used it. Default 20. */
  readonly sessionsPerTool?: number;
}

/**
 * Reads reports: live sessions from memory (including what earlier processes stored for them),
 * the rest from the store, so live and stored data answer the same. Session IDs are validated:
 * an unsafe one throws `InvalidSessionIdError`; an unknown one answers `undefined`.
 */
export class PerformanceAPI {
  private toolTrends: ToolTrendIndex | undefined;

  constructor(private readonly sessions: SessionRegistry) {}

  /** @example const report = await perf.api.getReport({ sessionId: 'ses_1' }); */
  async getReport({ sessionId }: SessionQuery): Promise<SessionReport | undefined> {
    assertValidSessionId(sessionId);
    return this.sessions.getReport(sessionId);
  }

  /**
   * @example
   * await perf.api.getOperationStats({ sessionId: 'ses_1', operationType: 'tool-execution' });
   * await perf.api.getOperationStats({ sessionId: 'ses_1', operationType: 'tool-execution', toolName: 'read' });
   */
  getOperationStats(query: OperationStatsQuery & { toolName: string }): Promise<DurationStats | undefined>;
  getOperationStats(query: OperationStatsQuery): Promise<OperationStats | undefined>;
  async getOperationStats(query: OperationStatsQuery): Promise<OperationStats | DurationStats | undefined> {
    const report = await this.getReport(query);
    const operation = ownEntry(report?.operations, query.operationType);
    if (operation === undefined || query.toolName === undefined) return operation;
    return ownEntry(operation.tools, query.toolName);
  }

  /** Every session, newest update first, with call and error counts. */
  async listSessions(): Promise<SessionSummary[]> {
    return this.sessions.listSessions();
  }

  /**
   * One page of `listSessions()`. Pages follow each other without gaps or repeats while the
   * sessions do not change; a session updated meanwhile moves to the front.
   * @example const { sessions, hasMore } = await perf.api.listSessionsPage({ limit: 50 });
   */
  async listSessionsPage({ limit, after }: SessionPageQuery): Promise<SessionPage> {
    const all = await this.listSessions();
    const start = after === undefined ? 0 : firstAfter(all, after);
    const sessions = all.slice(start, start + limit);
    return { sessions, hasMore: start + limit < all.length };
  }

  /**
   * Every tool across the stored sessions (live ones as of their last write), most calls first.
   * @example const tools = await perf.api.listToolTrends({ sessionsPerTool: 10 });
   */
  async listToolTrends({ sessionsPerTool = 20 }: ToolTrendsQuery = {}): Promise<ToolTrend[]> {
    this.toolTrends ??= new ToolTrendIndex(this.sessions.store, this.sessions.logger);
    return this.toolTrends.trends(sessionsPerTool);
  }

  /** Removes one session (`{ sessionId }`) or all of them (no argument); returns how many were removed. */
  async clear(query?: SessionQuery): Promise<number> {
    if (query === undefined) return this.sessions.clearAll();
    assertValidSessionId(query.sessionId);
    return (await this.sessions.clear(query.sessionId)) ? 1 : 0;
  }
}

/** Index of the first session that sorts after `position` (binary search: the list is sorted). */
function firstAfter(sorted: readonly SessionSummary[], position: SessionPosition): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareNewestFirst(sorted[mid] as SessionSummary, position) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
