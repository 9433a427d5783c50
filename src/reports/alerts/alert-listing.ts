import type { AlertState, SessionReport, SessionSummary } from '../../document/report.js';
import type { ListedAlert } from './alert-text.js';

/** Which alerts `Reports.listAlerts` returns. */
export interface AlertQuery {
  /** `firing` or `resolved`; default both. */
  readonly state?: AlertState;
  readonly sessionId?: string;
  /** One tool's alerts (exact name). */
  readonly toolName?: string;
  /** At most this many, latest transition first. Default 100. */
  readonly limit?: number;
}

/** Reports read at once while collecting alerts. */
const READ_CONCURRENCY = 16;

/**
 * The alerts of the sessions listed, latest transition first: only the sessions whose summary
 * counts alerts (firing ones, for `state: 'firing'`) are read, so a store of thousands of quiet
 * sessions costs its listing and nothing more.
 */
export async function collectAlerts(
  sessions: readonly SessionSummary[],
  read: (sessionId: string) => Promise<SessionReport | undefined>,
  query: AlertQuery,
): Promise<ListedAlert[]> {
  const { state, sessionId, toolName, limit = 100 } = query;
  const candidates = sessions.filter(
    (s) => (s.alerts ?? 0) > 0 && (sessionId === undefined || s.sessionId === sessionId) && (state !== 'firing' || (s.firingAlerts ?? 0) > 0),
  );
  const found: ListedAlert[] = [];
  let next = 0;
  const readInTurn = async (): Promise<void> => {
    while (next < candidates.length) {
      const id = (candidates[next++] as SessionSummary).sessionId;
      const report = await read(id);
      for (const alert of report?.alerts ?? []) {
        if ((state === undefined || alert.state === state) && (toolName === undefined || alert.toolName === toolName)) found.push({ ...alert, sessionId: id });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, candidates.length) }, readInTurn));
  found.sort((a, b) => Date.parse(b.changedAt) - Date.parse(a.changedAt) || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  return found.slice(0, limit);
}
