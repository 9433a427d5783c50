import { toPublicReport, type SessionAlert, type SessionReport, type SessionSummary, type StoredSessionReport } from '../document/report.js';
import { WriteOutcomeUnknownError, type ReportStore } from '../storage/report-store.js';
import { assertSketchesMerge } from './assert-sketches-merge.js';
import { FailureLog, LoggedError, type Logger } from '../util/logger.js';
import { SerialTask } from '../util/serial-task.js';
import type { CallRecord } from './call-record.js';
import { ReportWriter, SessionLedger } from './session-ledger.js';
import { endStoredSession } from './stored-fold.js';
import { WriteScheduler } from './write-scheduler.js';
import { MAX_UNWRITTEN_SESSIONS, WriteBacklog } from './write-backlog.js';
import { IdleSessionEnder } from './idle-session-ender.js';
import type { RegistryAlerts } from './alerts/registry-alerts.js';
import { writeLedgersSync } from './exit-write.js';

export interface SessionRegistryOptions {
  readonly store: ReportStore;
  /** Raw recent calls kept per session (`maxMetrics`). */
  readonly maxRecent: number;
  readonly writeIntervalMs: number;
  readonly idleTimeoutMs: number;
  /** End a session with no call for this long, at its last call's end (see `CreateReportsOptions`). Default: never. */
  readonly endIdleAfterMs?: number;
  readonly logger: Logger;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
  /** Sessions kept waiting while their writes fail; past it a failing session's calls are dropped (counted). Default 10,000. */
  readonly maxUnwrittenSessions?: number;
  /** Alert rules evaluated where calls are folded (see `AlertEngine`). */
  readonly alerts?: RegistryAlerts;
}

interface LiveSession {
  /** The stored report as last known, and the calls not written yet. */
  readonly ledger: SessionLedger;
  loading: Promise<void> | undefined;
  /** Its writes, one at a time. */
  readonly writer: SerialTask<void>;
}

/** Debounced writes in flight at once; see `WriteScheduler`. */
const DEBOUNCED_WRITE_CONCURRENCY = 4;
/**
 * Writes in flight at once in `flush` and `shutdown`, where getting everything written soon matters
 * more than the event loop's turns. SIGTERM over 4,000 sessions (36 calls each) ended in 3.4-3.9 s
 * at 64, 4.1-5.8 s at 4 or 16; unbounded, every write reached its rename only at the very end, so
 * on a slower disk none had landed when the 5 s deadline came.
 */
const FLUSH_WRITE_CONCURRENCY = 64;

/**
 * The sessions a process knows: folds calls into per-session ledgers synchronously, keeps them
 * in memory while they are active, and writes them through a `WriteScheduler`. A write merges the
 * calls since the last one into the stored report under the store's lock (`ReportStore.update`), so
 * a session stored before (by another process, or evicted from memory) is continued, and one that
 * other processes write at the same time keeps their calls as well.
 */
export class SessionRegistry {
  private readonly live = new Map<string, LiveSession>();
  private readonly writer = new ReportWriter();
  private readonly writes: WriteScheduler;
  private readonly failures: FailureLog;
  private readonly now: () => number;
  private readonly sweepTimer: NodeJS.Timeout;
  /** With `endIdleAfterMs`: ends the sessions dropped from memory once idle past it. */
  private readonly ender: IdleSessionEnder | undefined;

  constructor(private readonly options: SessionRegistryOptions, private readonly backlog = new WriteBacklog(options.maxUnwrittenSessions ?? MAX_UNWRITTEN_SESSIONS, new FailureLog(options.logger))) {
    this.failures = new FailureLog(options.logger);
    this.now = options.now ?? Date.now;
    this.writes = new WriteScheduler({
      intervalMs: options.writeIntervalMs,
      concurrency: DEBOUNCED_WRITE_CONCURRENCY,
      flushConcurrency: FLUSH_WRITE_CONCURRENCY,
      write: (id) => this.write(id),
    });
    const { endIdleAfterMs, logger } = options;
    const endStored = async (id: string, ifUpdatedBy: number): Promise<void> => {
      const ended = await endStoredSession(options.store, id, options.maxRecent, undefined, ifUpdatedBy);
      // An ingested session ends here, out of memory: its alert rules get their last look (a regression) all the same.
      if (ended !== undefined) await options.alerts?.afterWrite(id, ended).then(() => options.alerts?.forget(id));
    };
    this.ender = endIdleAfterMs === undefined ? undefined : new IdleSessionEnder({ endIdleAfterMs, now: this.now, logger, endStored });
    const sweepEvery = Math.min(60_000, Math.max(1000, Math.min(options.idleTimeoutMs, options.endIdleAfterMs ?? Infinity) / 2));
    this.sweepTimer = setInterval(() => this.sweep(), sweepEvery).unref();
  }

  /** Hot: called once per finished call. No I/O, no clock read. */
  record(call: CallRecord): void {
    const session = this.live.get(call.sessionId) ?? this.open(call.sessionId);
    session.ledger.add(call);
    this.writes.markDirty(call.sessionId);
    this.options.alerts?.onCall(call);
  }

  /** A new version of one of the session's alerts, written with its next write. */
  recordAlert(sessionId: string, alert: SessionAlert): void {
    const session = this.live.get(sessionId) ?? this.open(sessionId);
    session.ledger.addAlert(alert);
    this.writes.markDirty(sessionId);
  }

  getReport(sessionId: string): Promise<SessionReport | undefined> {
    return this.getStored(sessionId).then((stored) => stored && toPublicReport(stored));
  }

  /** The session's report with its merge state (the sketches): live, or as stored. */
  async getStored(sessionId: string): Promise<StoredSessionReport | undefined> {
    const session = this.live.get(sessionId);
    if (session === undefined) return this.options.store.get(sessionId);
    await this.ensureBase(sessionId, session);
    return session.ledger.stored();
  }

  /** The live sessions' summaries, each with its stored report merged in. */
  async liveSummaries(): Promise<SessionSummary[]> {
    const live = [...this.live];
    await Promise.all(live.map(([id, session]) => this.ensureBase(id, session)));
    const summaries: SessionSummary[] = [];
    for (const [id, session] of live) if (this.live.get(id) === session) summaries.push(session.ledger.summary());
    return summaries;
  }

  /** Marks the session ended (at `atMs`, default now), writes its final report and frees its memory. */
  async endSession(sessionId: string, atMs: number = this.now()): Promise<void> {
    this.ender?.forget(sessionId);
    const session = this.live.get(sessionId);
    if (session === undefined) return void (await endStoredSession(this.options.store, sessionId, this.options.maxRecent, atMs, Infinity));
    session.ledger.end(atMs);
    this.writes.forget(sessionId);
    await this.write(sessionId);
    // The alerts its end fired (a regression) are written with it, before it is let go.
    if (session.ledger.hasPending() && !this.writes.isDirty(sessionId)) await this.write(sessionId);
    // Calls that finished while the report was written reopen the session; keep it then.
    if (this.live.get(sessionId) === session && !this.writes.isDirty(sessionId) && !session.ledger.hasUnwritten()) {
      this.live.delete(sessionId);
      this.options.alerts?.forget(sessionId);
    }
  }

  /** Removes one session, from memory and store. True if there was anything to remove. */
  async clear(sessionId: string): Promise<boolean> {
    this.ender?.forget(sessionId);
    const session = this.live.get(sessionId);
    if (session) {
      this.live.delete(sessionId);
      this.writes.forget(sessionId);
      // Let a write under way finish first, or it would bring the file back.
      await Promise.all([session.writer.idle(), session.loading]);
    }
    const deleted = await this.options.store.delete(sessionId);
    return deleted || session !== undefined;
  }

  /** Forgets a live session with nothing left to write (retention removes its report next); false if it has calls to write. */
  async forgetWritten(sessionId: string): Promise<boolean> {
    const session = this.live.get(sessionId);
    if (session !== undefined) await Promise.all([session.writer.idle(), session.loading]);
    if (session === undefined || this.live.get(sessionId) !== session) return true;
    if (this.writes.isDirty(sessionId) || session.ledger.hasUnwritten()) return false;
    return this.live.delete(sessionId);
  }

  /** Removes every session; returns how many. */
  async clearAll(): Promise<number> {
    const ids = new Set([...this.live.keys(), ...(await this.options.store.list()).map((s) => s.sessionId)]);
    let cleared = 0;
    for (const id of ids) if (await this.clear(id)) cleared++;
    return cleared;
  }

  /** Writes every session with unwritten calls and waits for all background work. */
  flush(): Promise<void> {
    return this.writes.flush();
  }

  /** Whether some session has calls not known to be stored: dirty, or with a write under way. */
  hasUnwritten(): boolean {
    if (this.writes.hasDirty()) return true;
    for (const session of this.live.values()) if (session.writer.busy) return true;
    return false;
  }

  /**
   * The last chance at `process.exit`, where nothing asynchronous runs: writes every session with
   * unwritten calls (a write under way included: `SessionLedger.beginExitWrite`) synchronously.
   */
  flushSync(): void {
    const { store } = this.options;
    if (!store.updateSync) return;
    store.abandonWritesSync?.();
    this.writes.takeAll();
    writeLedgersSync(store, this.live, this.failures);
  }

  /**
   * Writes what is unwritten and stops the timers. Rejects if some sessions could still not be
   * written (after one more try): resolving would say they were. Idempotent.
   */
  async shutdown(): Promise<void> {
    this.writes.close();
    clearInterval(this.sweepTimer);
    await this.ender?.stop();
    await this.flush();
    if (this.writes.hasDirty()) await this.flush();
    const unwritten = [...this.live.keys()].filter((id) => this.writes.isDirty(id));
    if (unwritten.length > 0) throw new LoggedError(`could not write the reports of ${unwritten.length} session(s), e.g. ${unwritten[0]}; see the log`);
  }

  private open(sessionId: string): LiveSession {
    this.ender?.forget(sessionId); // it has a call again
    const session: LiveSession = {
      ledger: new SessionLedger(sessionId, this.options.maxRecent, this.writer),
      loading: undefined,
      writer: new SerialTask(() => this.writeNow(sessionId, session)),
    };
    // The stored report (if any) is read at the first write or query, not here on the caller's path.
    this.live.set(sessionId, session);
    return session;
  }

  /**
   * Learns the stored report once, for reads; a write teaches it too. A read that a write overlaps
   * is not taken (see `SessionLedger.epoch`): the write's own result is waited for instead.
   */
  private ensureBase(sessionId: string, session: LiveSession): Promise<boolean> {
    if (session.ledger.knowsBase) return Promise.resolve(true);
    session.loading ??= this.loadBase(sessionId, session).finally(() => {
      session.loading = undefined;
    });
    return session.loading.then(() => session.ledger.knowsBase);
  }

  private async loadBase(sessionId: string, session: LiveSession): Promise<void> {
    const { ledger } = session;
    // Each pass either learns the base or waits for a write (which teaches it, unless it failed).
    for (let pass = 0; pass < 3 && !ledger.knowsBase; pass++) {
      if (ledger.writing) {
        await session.writer.idle();
        continue;
      }
      const epoch = ledger.epoch;
      try {
        const stored = await this.options.store.get(sessionId);
        // A store that does not check its sketches (the file store does) must not hand the live view
        // one that cannot be merged: that is a failed read, not a report that throws later.
        if (stored) assertSketchesMerge(stored);
        ledger.adopt(stored, epoch);
        this.failures.recover('read', sessionId);
      } catch (error) {
        this.failures.fail('read', `could not read the stored report of session ${sessionId}; it will not be overwritten`, error, sessionId);
        return;
      }
    }
  }

  /** The session's next write (one at a time per session); resolved at once for a session no longer live. */
  private write(sessionId: string): Promise<void> {
    const session = this.live.get(sessionId);
    if (session === undefined) return Promise.resolve();
    const run = session.writer.run();
    this.writes.track(run);
    return run;
  }

  private async writeNow(sessionId: string, session: LiveSession): Promise<void> {
    if (!session.ledger.hasPending()) return;
    const write = session.ledger.beginWrite();
    try {
      const stored = await this.options.store.update(sessionId, write.merge, write.known);
      session.ledger.committed(write, stored);
      this.failures.recover('write', sessionId);
      this.backlog.recovered();
      if (stored !== undefined) await this.options.alerts?.afterWrite(sessionId, stored);
    } catch (error) {
      session.ledger.failed(write, error instanceof WriteOutcomeUnknownError);
      this.failures.fail('write', `could not write the report of session ${sessionId}; will retry`, error, sessionId);
      if (this.live.get(sessionId) !== session) return; // cleared meanwhile
      if (this.backlog.keeps(this.writes.dirtyCount)) this.writes.markDirty(sessionId);
      else if (this.backlog.drop(sessionId, session.ledger, this.writes.dirtyCount)) this.live.delete(sessionId);
    }
  }

  /**
   * Drops from memory the sessions written and idle past the idle timeout (or past the end
   * threshold, if sooner); with an end threshold, they wait in the ender to be ended.
   */
  private sweep(): void {
    const { idleTimeoutMs, endIdleAfterMs } = this.options;
    const cutoff = this.now() - Math.min(idleTimeoutMs, endIdleAfterMs ?? Infinity);
    for (const [id, session] of this.live) {
      if (this.writes.isDirty(id) || session.writer.busy || session.loading) continue;
      const { ledger } = session;
      if (ledger.hasUnwritten() || !(ledger.updateTimeMs < cutoff)) continue;
      this.live.delete(id);
      if (ledger.summary().endedAt === undefined) this.ender?.awaitEnd(id, ledger.updateTimeMs);
    }
    this.ender?.sweep();
  }
}
