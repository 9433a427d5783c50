import type { SessionSummary, StoredSessionReport } from '../document/report.js';
import type { SessionDigest } from './session-digest.js';

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
  /** Synchronous variants, for the last write at `process.exit`; a store without them skips that write. */
  getSync?(sessionId: string): StoredSessionReport | undefined;
  updateSync?(sessionId: string, merge: ReportMerge, known?: StoredSessionReport): StoredSessionReport | undefined;
  /** At `process.exit`, before the last writes: the asynchronous writes under way will never finish; clean up what they left. */
  abandonWritesSync?(): void;
  putSync?(report: StoredSessionReport): void;
}
