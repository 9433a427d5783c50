import type { DurationStats, OperationStats, SessionReport, SessionSummary } from './report.js';
import { assertValidSessionId } from './session-id.js';
import type { SessionRegistry } from './session-registry.js';

export interface SessionQuery {
  readonly sessionId: string;
}

export interface OperationStatsQuery extends SessionQuery {
  /** E.g. `tool-execution`. */
  readonly operationType: string;
  /** One tool's statistics instead of the operation type's. */
  readonly toolName?: string;
}

/**
 * Reads reports: live sessions from memory (including what earlier processes stored for them),
 * the rest from the store, so live and stored data answer the same. Session IDs are validated:
 * an unsafe one throws `InvalidSessionIdError`; an unknown one answers `undefined`.
 */
export class PerformanceAPI {
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
    const operation = report?.operations[query.operationType];
    if (operation === undefined || query.toolName === undefined) return operation;
    return operation.tools[query.toolName];
  }

  /** Every session, newest update first, with call and error counts. */
  async listSessions(): Promise<SessionSummary[]> {
    return this.sessions.listSessions();
  }

  /** Removes one session (`{ sessionId }`) or all of them (no argument); returns how many were removed. */
  async clear(query?: SessionQuery): Promise<number> {
    if (query === undefined) return this.sessions.clearAll();
    assertValidSessionId(query.sessionId);
    return (await this.sessions.clear(query.sessionId)) ? 1 : 0;
  }
}
