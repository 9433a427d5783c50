import type { ListedSession, SessionSummary } from '../document/report.js';
import type { ReportStore } from '../storage/report-store.js';
import type { SessionRegistry } from './session-registry.js';

export interface PruneQuery {
  /** Sessions whose last call (or end) is older than this many milliseconds are removed. */
  readonly olderThanMs: number;
  /** Only say what would be removed. */
  readonly dryRun?: boolean;
}

export interface PruneResult {
  /** ISO 8601: sessions last updated before this were removed. */
  readonly before: string;
  /** The sessions removed (or that would be, on a dry run), newest first, as they were listed. */
  readonly removed: ListedSession[];
}

interface RetentionParts {
  readonly store: ReportStore;
  readonly registry: SessionRegistry;
  /** Every session, newest first. */
  readonly list: () => Promise<ListedSession[]>;
  readonly now: () => number;
}

/**
 * Removes the sessions last updated before `now - olderThanMs`. Each is tested again where it is
 * removed: under the store's session lock (`ReportStore.deleteIf`), so that a write by another
 * process since the listing keeps the session; a session this process still has calls to write is
 * kept too.
 */
export async function pruneSessions({ store, registry, list, now }: RetentionParts, query: PruneQuery): Promise<PruneResult> {
  const cutoff = now() - query.olderThanMs;
  const before = new Date(cutoff).toISOString();
  const candidates = (await list()).filter((s) => Date.parse(s.updatedAt) < cutoff);
  if (query.dryRun) return { before, removed: candidates };
  const stale = (summary: SessionSummary): boolean => Date.parse(summary.updatedAt) < cutoff;
  const removed: ListedSession[] = [];
  for (const summary of candidates) {
    if (!(await registry.forgetWritten(summary.sessionId))) continue;
    const deleted = store.deleteIf ? await store.deleteIf(summary.sessionId, stale) : await store.delete(summary.sessionId);
    if (deleted) removed.push(summary);
  }
  return { before, removed };
}
