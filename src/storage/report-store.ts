import type { SessionSummary, StoredSessionReport } from '../document/report.js';
import type { SessionDigest } from './session-digest.js';

/**
 * Where session reports live. Session IDs reaching a store are already validated. Implementations
 * must write atomically: a reader sees the previous report or the new one, never a mix.
 */
export interface ReportStore {
  get(sessionId: string): Promise<StoredSessionReport | undefined>;
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
  /** True if there was a report to delete. */
  delete(sessionId: string): Promise<boolean>;
  /** Synchronous variants, for the last write at `process.exit`; a store without them skips that write. */
  getSync?(sessionId: string): StoredSessionReport | undefined;
  putSync?(report: StoredSessionReport): void;
}
