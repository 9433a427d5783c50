import type { CallRecord } from './call-record.js';
import { FailureLog, type Logger } from '../util/logger.js';
import { toPublicReport, type SessionReport, type SessionSummary } from '../document/report.js';
import type { ReportStore } from '../storage/report-store.js';
import { SessionAggregate } from './session-aggregate.js';
import type { SessionDigest } from '../storage/session-digest.js';
import { compareNewestFirst } from './session-order.js';

export interface SessionRegistryOptions {
  readonly store: ReportStore;
  /** Raw recent calls kept per session (`maxMetrics`). */
  readonly maxRecent: number;
  readonly writeIntervalMs: number;
  readonly idleTimeoutMs: number;
  readonly logger: Logger;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

interface LiveSession {
  readonly aggregate: SessionAggregate;
  /** Whether the stored report of this session (from an earlier run) has been merged in. */
  base: 'pending' | 'loaded' | 'failed';
  loading: Promise<void> | undefined;
  /** The write under way, if any, and one queued behind it (which snapshots when it starts). */
  writing: Promise<void> | undefined;
  queued: Promise<void> | undefined;
}

const RESOLVED = Promise.resolve();
/** Debounced writes in flight at once; see `flushDirty`. */
const DEBOUNCED_WRITE_CONCURRENCY = 4;

/**
 * The sessions a process knows: folds calls into per-session aggregates synchronously, and writes
 * them to the store in the background, debounced, one write at a time per session. A session that
 * existed before (another process, or evicted from memory) is continued: its stored report is
 * merged in before anything is written, so a write never replaces it with less.
 */
export class SessionRegistry {
  private readonly live = new Map<string, LiveSession>();
  private readonly dirty = new Set<string>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly failures: FailureLog;
  private readonly now: () => number;
  private writeTimer: NodeJS.Timeout | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;
  private sortedStored: { readonly digests: readonly SessionDigest[]; readonly sorted: readonly SessionSummary[] } | undefined;

  constructor(private readonly options: SessionRegistryOptions) {
    this.failures = new FailureLog(options.logger);
    this.now = options.now ?? Date.now;
    const sweepEvery = Math.min(60_000, Math.max(1000, options.idleTimeoutMs / 2));
    this.sweepTimer = setInterval(() => this.evictIdle(), sweepEvery).unref();
  }

  get store(): ReportStore {
    return this.options.store;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  /** Hot: called once per finished call. No I/O, no clock read. */
  record(call: CallRecord): void {
    const session = this.live.get(call.sessionId) ?? this.open(call.sessionId);
    session.aggregate.add(call);
    this.dirty.add(call.sessionId);
    if (this.writeTimer === undefined && !this.closed) this.scheduleWrites();
  }

  async getReport(sessionId: string): Promise<SessionReport | undefined> {
    const session = this.live.get(sessionId);
    if (session) {
      await this.ensureBase(sessionId, session);
      return session.aggregate.toReport();
    }
    const stored = await this.options.store.get(sessionId);
    return stored && toPublicReport(stored);
  }

  /** Stored and live sessions, newest first: a fresh array each call. */
  async listSessions(): Promise<SessionSummary[]> {
    const live = [...this.live];
    await Promise.all(live.map(([id, session]) => this.ensureBase(id, session)));
    const stored = await this.storedNewestFirst();
    const current: SessionSummary[] = [];
    for (const [id, session] of live) if (this.live.get(id) === session) current.push(session.aggregate.summary());
    if (current.length === 0) return [...stored];
    // Few sessions are live: their fresh summaries replace the stored ones and are merged in, O(stored).
    const liveIds = new Set(current.map((s) => s.sessionId));
    current.sort(compareNewestFirst);
    const merged: SessionSummary[] = [];
    let next = 0;
    for (const summary of stored) {
      if (liveIds.has(summary.sessionId)) continue;
      while (next < current.length && compareNewestFirst(current[next] as SessionSummary, summary) < 0) merged.push(current[next++] as SessionSummary);
      merged.push(summary);
    }
    while (next < current.length) merged.push(current[next++] as SessionSummary);
    return merged;
  }

  /**
   * The stored sessions sorted. With digests, the sorted list is kept while the store hands out the
   * same digests (no report changed), so a page at 10,000 sessions is not a sort each time.
   */
  private async storedNewestFirst(): Promise<readonly SessionSummary[]> {
    const { store } = this.options;
    if (store.listDigests === undefined) return (await store.list()).sort(compareNewestFirst);
    const digests = await store.listDigests();
    if (digests !== this.sortedStored?.digests) {
      this.sortedStored = { digests, sorted: digests.map((d) => d.summary).sort(compareNewestFirst) };
    }
    return this.sortedStored.sorted;
  }

  /** Marks the session ended, writes its final report and frees its memory. */
  async endSession(sessionId: string): Promise<void> {
    const session = this.live.get(sessionId);
    if (session === undefined) return this.endStored(sessionId);
    session.aggregate.end(this.now());
    this.dirty.delete(sessionId);
    await this.write(sessionId, session);
    // Calls that finished while the report was written reopen the session; keep it then.
    if (this.live.get(sessionId) === session && !this.dirty.has(sessionId) && session.aggregate.endTimeMs !== undefined) {
      this.live.delete(sessionId);
    }
  }

  /** Removes one session, from memory and store. True if there was anything to remove. */
  async clear(sessionId: string): Promise<boolean> {
    const session = this.live.get(sessionId);
    if (session) {
      this.live.delete(sessionId);
      this.dirty.delete(sessionId);
      // Let a write under way finish first, or it would bring the file back.
      await Promise.all([session.writing, session.loading]);
    }
    const deleted = await this.options.store.delete(sessionId);
    return deleted || session !== undefined;
  }

  /** Removes every session; returns how many. */
  async clearAll(): Promise<number> {
    const ids = new Set([...this.live.keys(), ...(await this.options.store.list()).map((s) => s.sessionId)]);
    let cleared = 0;
    for (const id of ids) if (await this.clear(id)) cleared++;
    return cleared;
  }

  /** Writes every session with unwritten calls and waits for all background work. */
  async flush(): Promise<void> {
    this.clearWriteTimer();
    const writes = [...this.dirty].map((id) => {
      const session = this.live.get(id);
      this.dirty.delete(id);
      return session ? this.write(id, session) : RESOLVED;
    });
    await Promise.all([...writes, ...this.pending]);
  }

  hasUnwritten(): boolean {
    return this.dirty.size > 0;
  }

  /**
   * The last chance at `process.exit`, where nothing asynchronous runs: writes unwritten sessions
   * with the store's synchronous calls. A session whose stored report cannot be read is skipped
   * rather than overwritten.
   */
  flushSync(): void {
    const { store } = this.options;
    if (!store.putSync || !store.getSync) return;
    for (const id of [...this.dirty]) {
      const session = this.live.get(id);
      this.dirty.delete(id);
      if (!session) continue;
      try {
        if (session.base !== 'loaded') {
          const stored = store.getSync(id);
          if (stored) session.aggregate.mergeStored(stored);
          session.base = 'loaded';
        }
        store.putSync(session.aggregate.toStored());
      } catch (error) {
        this.failures.fail('write', `could not write the report of session ${id} at exit`, error);
      }
    }
  }

  /** Writes what is unwritten and stops the timers. Idempotent. */
  async shutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    await this.flush();
  }

  private open(sessionId: string): LiveSession {
    const session: LiveSession = {
      aggregate: new SessionAggregate(sessionId, this.options.maxRecent),
      base: 'pending',
      loading: undefined,
      writing: undefined,
      queued: undefined,
    };
    // The stored report (if any) is read at the first write or query, not here on the caller's path.
    this.live.set(sessionId, session);
    return session;
  }

  /** Loads and merges the stored report once; retried at the next write if it failed. */
  private ensureBase(sessionId: string, session: LiveSession): Promise<boolean> {
    if (session.base === 'loaded') return Promise.resolve(true);
    session.loading ??= this.options.store.get(sessionId).then(
      (stored) => {
        if (stored) session.aggregate.mergeStored(stored);
        session.base = 'loaded';
        session.loading = undefined;
        this.failures.recover('read');
      },
      (error: unknown) => {
        session.base = 'failed';
        session.loading = undefined;
        this.failures.fail('read', `could not read the stored report of session ${sessionId}; it will not be overwritten`, error);
      },
    );
    return session.loading.then(() => session.base === 'loaded');
  }

  private write(sessionId: string, session: LiveSession): Promise<void> {
    if (session.queued) return session.queued;
    const run = (session.writing ?? RESOLVED).then(() => {
      session.queued = undefined;
      return this.writeNow(sessionId, session);
    });
    session.queued = run;
    session.writing = run;
    void run.then(() => {
      if (session.writing === run) session.writing = undefined;
    });
    this.track(run);
    return run;
  }

  private async writeNow(sessionId: string, session: LiveSession): Promise<void> {
    if (!(await this.ensureBase(sessionId, session))) {
      this.redo(sessionId, session);
      return;
    }
    try {
      await this.options.store.put(session.aggregate.toStored());
      this.failures.recover('write');
    } catch (error) {
      this.failures.fail('write', `could not write the report of session ${sessionId}; will retry`, error);
      this.redo(sessionId, session);
    }
  }

  /** Keeps a session's calls for the next write, unless it was cleared meanwhile. */
  private redo(sessionId: string, session: LiveSession): void {
    if (this.live.get(sessionId) !== session) return;
    this.dirty.add(sessionId);
    if (this.writeTimer === undefined && !this.closed) this.scheduleWrites();
  }

  private scheduleWrites(): void {
    this.writeTimer = setTimeout(() => {
      this.writeTimer = undefined;
      this.track(this.flushDirty());
    }, this.options.writeIntervalMs).unref();
  }

  /**
   * The debounced write of every dirty session, a few at a time: each write serializes its report
   * synchronously, and all of them at once held a server's event loop for hundreds of ms (measured
   * with OTLP ingest over 64 sessions); between writes' file I/O other work runs.
   */
  private async flushDirty(): Promise<void> {
    const ids = [...this.dirty];
    let next = 0;
    const writeInTurn = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        // Dirty until its turn, so that neither eviction nor the exit write can pass it over;
        // gone from `dirty` meanwhile means written (flush, exit) or cleared already.
        if (!this.dirty.delete(id)) continue;
        const session = this.live.get(id);
        if (session) await this.write(id, session);
      }
    };
    await Promise.all(Array.from({ length: Math.min(DEBOUNCED_WRITE_CONCURRENCY, ids.length) }, writeInTurn));
  }

  private clearWriteTimer(): void {
    if (this.writeTimer !== undefined) clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
  }

  private evictIdle(): void {
    const cutoff = this.now() - this.options.idleTimeoutMs;
    for (const [id, session] of this.live) {
      if (this.dirty.has(id) || session.writing || session.loading) continue;
      if (session.aggregate.updateTimeMs < cutoff) this.live.delete(id);
    }
  }

  private async endStored(sessionId: string): Promise<void> {
    const stored = await this.options.store.get(sessionId);
    if (stored === undefined || stored.endedAt !== undefined) return;
    const aggregate = new SessionAggregate(sessionId, this.options.maxRecent);
    aggregate.mergeStored(stored);
    aggregate.end(this.now());
    await this.options.store.put(aggregate.toStored());
  }

  private track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    const done = () => this.pending.delete(promise);
    promise.then(done, done);
  }
}

