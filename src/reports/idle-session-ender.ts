import { FailureLog, type Logger } from '../util/logger.js';
import { SerialTask } from '../util/serial-task.js';

/**
 * Sessions dropped from memory that are still to be ended once idle long enough; past this many,
 * the longest waiting is forgotten (it stays `idle`). ~100 bytes each.
 */
const MAX_AWAITING_END = 10_000;

export interface IdleSessionEnderOptions {
  /** End a session once it has had no call for this long. */
  readonly endIdleAfterMs: number;
  /**
   * Ends a stored session at its last update, unless that is later than `ifUpdatedBy` (a call
   * reached the store since: it is not idle after all) or it was ended already.
   */
  readonly endStored: (sessionId: string, ifUpdatedBy: number) => Promise<void>;
  readonly now: () => number;
  readonly logger: Logger;
}

/**
 * Ends the sessions a process folded calls for once they have been idle past a threshold: what
 * a report server does for the sessions it ingests, whose agents rarely say they ended. A session
 * waits here from the time it is dropped from memory (written, idle) with its last call's end; a
 * call in the meantime takes it out (`forget`). Waiting is in memory: a restart forgets it.
 */
export class IdleSessionEnder {
  private readonly awaiting = new Map<string, number>();
  private readonly sweeps = new SerialTask(() => this.endDue());
  private readonly failures: FailureLog;

  constructor(private readonly options: IdleSessionEnderOptions) {
    this.failures = new FailureLog(options.logger);
  }

  /** The session, idle since `lastCallMs`, is to be ended once idle past the threshold. */
  awaitEnd(sessionId: string, lastCallMs: number): void {
    this.awaiting.delete(sessionId);
    if (this.awaiting.size >= MAX_AWAITING_END) this.awaiting.delete(this.awaiting.keys().next().value as string);
    this.awaiting.set(sessionId, lastCallMs);
  }

  /** The session has a call again, was ended or was removed: it is not to be ended here. */
  forget(sessionId: string): void {
    this.awaiting.delete(sessionId);
  }

  /** Ends the sessions due, in the background (one sweep at a time). */
  sweep(): void {
    if (this.awaiting.size > 0) void this.sweeps.run();
  }

  /** Forgets every waiting session and waits for a sweep under way. */
  async stop(): Promise<void> {
    this.awaiting.clear();
    await this.sweeps.idle();
  }

  private async endDue(): Promise<void> {
    const cutoff = this.options.now() - this.options.endIdleAfterMs;
    const due = [...this.awaiting].filter(([, lastMs]) => lastMs < cutoff);
    for (const [id, lastMs] of due) {
      if (this.awaiting.get(id) !== lastMs) continue; // a call, an end or a removal meanwhile
      this.awaiting.delete(id);
      try {
        await this.options.endStored(id, lastMs);
        this.failures.recover('end', id);
      } catch (error) {
        this.failures.fail('end', `could not end the idle session ${id}; it stays idle`, error, id);
      }
    }
  }
}
