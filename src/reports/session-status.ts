import type { ListedSession, SessionStatus, SessionSummary } from '../document/report.js';

/** A session with no call for longer than this is `idle` rather than `active`, unless told otherwise. */
export const DEFAULT_IDLE_AFTER_MS = 5 * 60_000;

/** What a status is computed against: the time of reading and the idle threshold. */
export interface StatusClock {
  /** Epoch milliseconds. */
  readonly nowMs: number;
  readonly idleAfterMs: number;
}

/**
 * `ended` once the session was ended; else `active` while its last call (from whatever source)
 * ended at most `idleAfterMs` ago, `idle` after that. Computed when read, from the stored times:
 * a session whose process died without ending it reads `idle`, never `active` for ever.
 */
export function sessionStatus(session: Pick<SessionSummary, 'updatedAt' | 'endedAt'>, clock: StatusClock): SessionStatus {
  if (session.endedAt !== undefined) return 'ended';
  return clock.nowMs - Date.parse(session.updatedAt) > clock.idleAfterMs ? 'idle' : 'active';
}

export function withStatus(summary: SessionSummary, clock: StatusClock): ListedSession {
  return { ...summary, status: sessionStatus(summary, clock) };
}
