import type { SessionSummary, StatsState, StoredSessionReport } from '../document/report.js';
import type { SessionDigest } from './session-digest.js';
import type { SessionFilter, SessionPosition, SessionSort } from '../document/session-list-query.js';

/** One tool across every stored session, as a store that keeps per-tool totals hands it out (`toolTotals`). */
export interface StoredToolTotals {
  readonly operationType: string;
  readonly toolName: string;
  /** Stored sessions with calls of the tool. */
  readonly sessions: number;
  /** The tool's statistics over every stored session, in parts (each of a group of sessions): merged, they are the totals. */
  readonly parts: readonly StatsState[];
  /** The last `recentPerTool` sessions (by start, ties by ID) that used the tool, oldest first. */
  readonly recent: readonly StoredToolUse[];
}

/** One session's figures for one tool. */
export interface StoredToolUse {
  readonly sessionId: string;
  readonly startedAt: string;
  readonly calls: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

/** A page of the stored sessions, as a store that answers it itself is asked for it (`listSessionsPage`). */
export interface StoredSessionPageQuery {
  readonly filter: SessionFilter;
  readonly sort: SessionSort;
  /** The last session of the previous page (with its sort field); omitted for the first page. */
  readonly after?: SessionPosition | undefined;
  /** Sessions at most; `Infinity` for all. */
  readonly limit: number;
  /** The time of reading (epoch milliseconds) and the idle threshold: what the status filter tests against. */
  readonly nowMs: number;
  readonly idleAfterMs: number;
  /** Sessions to leave out: the live ones, which the caller lists from memory. */
  readonly exclude: readonly string[];
}

export interface StoredSessionPage {
  readonly sessions: SessionSummary[];
  /** Whether stored sessions follow this page. */
  readonly hasMore: boolean;
}

/**
 * `update` failed in a way that leaves unknown whether its write landed (a database connection
 * lost as the transaction committed). The caller keeps the write's merge (its sequence number) for
 * its next writes, whose merges tell from the stored report whether it is in.
 */
export class WriteOutcomeUnknownError extends Error {
  override readonly name = 'WriteOutcomeUnknownError';
}

/**
 * A session's next stored report, from the one stored now (undefined when there is none); returning
 * undefined leaves the store as it is. Synchronous and without side effects: a store calls it while
 * it holds the session's lock.
 */
export type ReportMerge = (stored: StoredSessionReport | undefined) => StoredSessionReport | undefined;

/**
 * Where session reports live. Session IDs reaching a store are already validated. Implementations
 * must write atomically: a reader sees the previous report or the new one, never a mix. Several
 * writers (processes, machines) may share a store: `update` is how they write without losing or
 * doubling each other's calls.
 */
export interface ReportStore {
  get(sessionId: string): Promise<StoredSessionReport | undefined>;
  /**
   * Reads the session's report, merges into it (`merge`) and writes the result, under a lock per
   * session that every writer of this storage respects, so that no other write comes in between.
   * Resolves with the report stored afterwards. Rejects only when nothing was written.
   * `known`: the report this store last handed back for the session, if the caller keeps it; a
   * store may use it instead of reading when the stored report has not changed since.
   */
  update(sessionId: string, merge: ReportMerge, known?: StoredSessionReport): Promise<StoredSessionReport | undefined>;
  /** Replaces the session's report (under the same lock as `update`). */
  put(report: StoredSessionReport): Promise<void>;
  /** Every stored session; order is not specified. */
  list(): Promise<SessionSummary[]>;
  /**
   * Optional: every stored session's digest (summary and per-tool figures), cheap to call again
   * and again; an unchanged report keeps its digest object, and while no report changed the store
   * may hand out the same (frozen) array, so callers may cache by identity. Without it, callers
   * read every report.
   */
  listDigests?(): Promise<SessionDigest[]>;
  /**
   * Optional: the IDs of the `limit` most recently started sessions whose report has calls of the
   * tool `toolName` under `operationType`, newest first, leaving out `excludeSessionId`: a tool's
   * baseline (regression alerts). Without it, callers scan `listDigests()`.
   */
  sessionsWithTool?(operationType: string, toolName: string, limit: number, excludeSessionId?: string): Promise<string[]>;
  /**
   * Optional: one page of the stored sessions, filtered, sorted and cut as `selectSessions` does
   * (the same order, ties by session ID, compared as code units), answered by the storage itself
   * (SQL with indexes) rather than from every summary. Without it, callers page `listDigests()`.
   */
  listSessionsPage?(query: StoredSessionPageQuery): Promise<StoredSessionPage>;
  /**
   * Optional: every tool across the stored sessions, its statistics merged by the store (kept up
   * to date as sessions are written) and its most recent uses: what tool trends need, without
   * reading every report. Without it, callers merge the reports' sketches themselves.
   */
  toolTotals?(recentPerTool: number): Promise<StoredToolTotals[]>;
  /** True if there was a report to delete. */
  delete(sessionId: string): Promise<boolean>;
  /**
   * Optional: deletes the session's report if `test` holds for its summary, both under the lock
   * `update` takes, so that a write coming in between cannot be lost (retention: `Reports.prune`).
   * True if it was deleted. Without it, callers test a listing's summary, then `delete`.
   */
  deleteIf?(sessionId: string, test: (summary: SessionSummary) => boolean): Promise<boolean>;
  /**
   * Optional: an id shared by every store over the same storage (every process opening the same
   * data directory), undefined if there is none. A tracker marks the spans it folds into its store
   * with it, so that a report server on the same storage does not fold them a second time.
   */
  identity?(): string | undefined;
  /**
   * Optional: the key of this storage's argument fingerprints (`fingerprintArguments`), at least 16
   * random bytes, the same for every store over the same storage and made once; never leaves it.
   * Without it, calls are not fingerprinted.
   */
  secret?(): Promise<Uint8Array>;
  /** `secret` without waiting, where the store can read it synchronously: a tracker fingerprints its first call. */
  secretSync?(): Uint8Array;
  /**
   * Optional, for a store that learns its identity when it first reaches its storage (a database
   * it connects to): starts that, and resolves with `identity()` once it is known. Never rejects.
   */
  whenIdentified?(): Promise<string | undefined>;
  /** Optional: releases what the store holds open (connections). The store is not used afterwards. */
  close?(): Promise<void>;
  /** Synchronous variants, for the last write at `process.exit`; a store without them skips that write. */
  getSync?(sessionId: string): StoredSessionReport | undefined;
  updateSync?(sessionId: string, merge: ReportMerge, known?: StoredSessionReport): StoredSessionReport | undefined;
  /** At `process.exit`, before the last writes: the asynchronous writes under way will never finish; clean up what they left. */
  abandonWritesSync?(): void;
  putSync?(report: StoredSessionReport): void;
}
