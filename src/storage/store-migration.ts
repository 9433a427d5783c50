import { isDeepStrictEqual } from 'node:util';
import type { StoredSessionReport } from '../document/report.js';
import type { ReportStore } from './report-store.js';

/** Sessions copied at once: enough to keep a database's round trips overlapping, few enough for a file system. */
export const DEFAULT_MIGRATION_CONCURRENCY = 16;
/** A write to the target that fails is tried this many times in all (a dropped connection, a lock held elsewhere). */
const WRITE_ATTEMPTS = 3;
const RETRY_DELAY_MS = 200;
/** Sessions the target refused one after another before the migration stops: the target is down, not one report bad. */
export const FAILURES_IN_A_ROW_TO_STOP = 10;

/** A session that was not copied, and why. */
export interface SessionProblem {
  readonly sessionId: string;
  readonly reason: string;
}

/** What a migration did with each session of the source. */
export interface MigrationAccount {
  /** Sessions found in the source. */
  readonly total: number;
  /** Copied: the target had no report of the session. */
  readonly moved: number;
  /** The target's report differed and was not updated later than the source's: replaced by the source's. */
  readonly replaced: number;
  /** The target's report was already the same: not written again. */
  readonly unchanged: number;
  /** The target's report differed and was updated later than the source's (written there since): left as it is. */
  readonly keptNewer: readonly string[];
  /** Gone from the source between the listing and the read (deleted meanwhile): nothing to copy. */
  readonly vanished: number;
  /** Unreadable or invalid in the source: not copied, left where they are. */
  readonly setAside: readonly SessionProblem[];
  /** Read, but the target refused the write (after retries). */
  readonly failed: readonly SessionProblem[];
  /**
   * Why the migration stopped before the end, if it did: the target refused
   * `FAILURES_IN_A_ROW_TO_STOP` sessions in a row. The sessions not tried are in no count.
   */
  readonly stopped?: string;
}

/** After every session: how far the migration is. */
export interface MigrationProgress {
  readonly done: number;
  readonly total: number;
}

export interface MigrationOptions {
  /** Sessions in flight at once (default `DEFAULT_MIGRATION_CONCURRENCY`). */
  readonly concurrency?: number;
  readonly onProgress?: (progress: MigrationProgress) => void;
}

type Outcome = 'moved' | 'replaced' | 'unchanged' | 'keptNewer' | 'vanished' | 'setAside' | 'failed';

/**
 * Copies the reports of `sessionIds` from one store to another, over the `ReportStore` interface
 * alone (so any engine to any engine). Each session is one atomic write, so an interrupted
 * migration run again finishes it: what was copied is found the same and not written again.
 *
 * A session the target holds with another content is replaced by the source's, unless the
 * target's was updated later (`keptNewer`): a migration is a copy, and merging would count a
 * session's calls twice whenever a copied session is copied again after it grew in the source.
 */
export async function migrateReports(
  from: ReportStore,
  to: ReportStore,
  sessionIds: readonly string[],
  options: MigrationOptions = {},
): Promise<MigrationAccount> {
  const counts = { moved: 0, replaced: 0, unchanged: 0, vanished: 0 };
  const keptNewer: string[] = [];
  const setAside: SessionProblem[] = [];
  const failed: SessionProblem[] = [];
  const total = sessionIds.length;
  let next = 0;
  let done = 0;
  let failuresInARow = 0;
  let stopped: string | undefined;

  const migrateOne = async (sessionId: string): Promise<void> => {
    let report: StoredSessionReport | undefined;
    try {
      report = await from.get(sessionId);
    } catch (error) {
      setAside.push({ sessionId, reason: messageOf(error) });
      return;
    }
    if (report === undefined) {
      counts.vanished++;
      return;
    }
    if (report.sessionId !== sessionId) {
      setAside.push({ sessionId, reason: `holds the report of session ${JSON.stringify(report.sessionId)}` });
      return;
    }
    const outcome = await withRetries(() => copy(report, to)).catch((error: unknown) => {
      failed.push({ sessionId, reason: messageOf(error) });
      if (++failuresInARow >= FAILURES_IN_A_ROW_TO_STOP) stopped ??= `the target refused ${failuresInARow} sessions in a row, the last with: ${messageOf(error)}`;
      return 'failed' as const;
    });
    if (outcome !== 'failed') failuresInARow = 0;
    if (outcome === 'keptNewer') keptNewer.push(sessionId);
    else if (outcome !== 'failed') counts[outcome]++;
  };

  const worker = async (): Promise<void> => {
    while (next < total && stopped === undefined) {
      const sessionId = sessionIds[next++] as string;
      await migrateOne(sessionId);
      done++;
      options.onProgress?.({ done, total });
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? DEFAULT_MIGRATION_CONCURRENCY, total));
  await Promise.all(Array.from({ length: concurrency }, worker));

  const byId = (a: SessionProblem, b: SessionProblem) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0);
  const account = { total, ...counts, keptNewer: keptNewer.sort(), setAside: setAside.sort(byId), failed: failed.sort(byId) };
  return stopped === undefined ? account : { ...account, stopped };
}

/** Writes one report into the target, unless it is there already or the target's is newer. */
async function copy(report: StoredSessionReport, to: ReportStore): Promise<Exclude<Outcome, 'vanished' | 'setAside' | 'failed'>> {
  const stored = await to.get(report.sessionId);
  if (stored !== undefined && sameReport(stored, report)) return 'unchanged';
  if (stored !== undefined && Date.parse(stored.updatedAt) > Date.parse(report.updatedAt)) return 'keptNewer';
  await to.put(report);
  return stored === undefined ? 'moved' : 'replaced';
}

/**
 * The same report: the same fields with the same values, whatever the order of their keys (a
 * database may hand a document back with its keys reordered).
 */
export function sameReport(a: StoredSessionReport, b: StoredSessionReport): boolean {
  return isDeepStrictEqual(a, b);
}

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= WRITE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * i));
    }
  }
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}
