import type { FailureLog } from '../util/logger.js';
import type { SessionLedger } from './session-ledger.js';

/** Sessions kept waiting while their writes fail, unless told otherwise (`maxUnwrittenSessions`). */
export const MAX_UNWRITTEN_SESSIONS = 10_000;

/**
 * Bounds what a failing store (a database that is down) makes a process hold: each waiting
 * session keeps its unwritten calls (a fixed-size aggregate) for its next write, up to `max`
 * sessions waiting; past that, a session whose write fails has its unwritten calls dropped,
 * counted, and said once per streak of drops. Nothing of this reaches a tool's caller.
 */
export class WriteBacklog {
  private droppedCalls = 0;

  constructor(
    private readonly max: number,
    private readonly failures: FailureLog,
  ) {}

  /** Whether a session whose write failed, with `waiting` sessions waiting, keeps its calls for the next write. */
  keeps(waiting: number): boolean {
    return waiting < this.max;
  }

  /** Drops the unwritten calls of `ledger`, counts and says so; true if nothing of it is left unwritten. */
  drop(sessionId: string, ledger: SessionLedger, waiting: number): boolean {
    const calls = ledger.discard();
    this.droppedCalls += calls;
    this.failures.fail(
      'drop',
      `the store keeps failing with ${waiting} sessions waiting to be written (at most ${this.max} wait): dropping the unwritten calls of the sessions that fail past that; ${this.droppedCalls} calls so far, e.g. ${calls} of session ${sessionId}`,
    );
    return !ledger.hasUnwritten();
  }

  /** A write landed: the next drop starts a new streak (and is said again). */
  recovered(): void {
    this.failures.recover('drop');
  }
}
