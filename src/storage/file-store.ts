import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { consoleLogger, type Logger } from '../util/logger.js';
import { FileDigestCache } from './file-digest-cache.js';
import { FileLock } from './file-lock.js';
import type { SessionSummary, StoredSessionReport } from '../document/report.js';
import type { ReportMerge, ReportStore } from './report-store.js';
import { fileStamp, fileStampSync, writeReportFile, writeReportFileSync } from './report-file-write.js';
import { readOrCreateStoreId } from './store-identity.js';
import type { SessionDigest } from './session-digest.js';
import { assertValidSessionId } from '../util/session-id.js';
import { isStoredReportProblem, loadStoredReportCheck, storedReportCheckSync, type StoredReportCheck } from '../document/check-stored-report.js';

/** Reports live in `<dataDir>/session/performance/`. */
export const REPORTS_SUBDIRECTORY = join('session', 'performance');
const REPORT_SUFFIX = '.json';
/** A lock held elsewhere is waited for this long; then the write fails, to be retried later. */
const LOCK_WAIT_MS = 5_000;
/**
 * At exit the process must end soon: locks held elsewhere (for milliseconds, normally) are waited
 * for this long in all, however many sessions are written; then a locked session is skipped.
 */
const LOCK_WAIT_SYNC_MS = 1_000;

/** A stored report that this version cannot read and must not overwrite (written by a newer version). */
export class UnreadableReportError extends Error {
  override readonly name = 'UnreadableReportError';
}

/**
 * One JSON document per session, written atomically (temp file, fsync, rename, fsync of the
 * directory), so a crash mid-write leaves the previous report intact. A corrupt file is reported
 * once and renamed aside (`<id>.json.corrupt-<time>`), never fatal to the other sessions.
 * Listing keeps digests in memory and re-reads only the files that changed since the last listing.
 * Every write holds the session's lock (`.<id>.json.lock`, see `FileLock`), so processes sharing
 * the directory merge into each other's reports instead of replacing them.
 */
export class FileReportStore implements ReportStore {
  readonly directory: string;
  private tempCounter = 0;
  private directoryReady: Promise<unknown> | undefined;
  private readonly digests: FileDigestCache;
  /**
   * The file stamp of each report this store wrote or read under a lock: handed back as `known`,
   * a report whose file did not change since is not read again (in the common case of one writer,
   * a write then reads nothing).
   */
  private readonly stamps = new WeakMap<StoredSessionReport, string>();
  private storeId: string | undefined;
  /** What is left of `LOCK_WAIT_SYNC_MS` for this store's synchronous writes. */
  private readonly syncWait = { leftMs: LOCK_WAIT_SYNC_MS };

  constructor(
    dataDir: string,
    private readonly logger: Logger = consoleLogger,
  ) {
    this.directory = join(dataDir, REPORTS_SUBDIRECTORY);
    this.digests = new FileDigestCache({ directory: this.directory, suffix: REPORT_SUFFIX, read: (id) => this.get(id), logger });
  }

  /** The file of a session's report; throws `InvalidSessionIdError` for an unsafe ID. */
  pathOf(sessionId: string): string {
    assertValidSessionId(sessionId);
    return join(this.directory, `${sessionId}${REPORT_SUFFIX}`);
  }

  async get(sessionId: string): Promise<StoredSessionReport | undefined> {
    const path = this.pathOf(sessionId);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const decoded = decode(path, text, await loadStoredReportCheck());
    if (typeof decoded !== 'string') return decoded;
    const aside = asidePath(path);
    await rename(path, aside).then(
      () => this.logger.warn(`corrupt report ${path} (${decoded}): moved to ${aside}`),
      (error: unknown) => this.logger.warn(`corrupt report ${path} (${decoded}); could not move it aside: ${String(error)}`),
    );
    return undefined;
  }

  getSync(sessionId: string): StoredSessionReport | undefined {
    const path = this.pathOf(sessionId);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const decoded = decode(path, text, storedReportCheckSync());
    if (typeof decoded !== 'string') return decoded;
    const aside = asidePath(path);
    try {
      renameSync(path, aside);
      this.logger.warn(`corrupt report ${path} (${decoded}): moved to ${aside}`);
    } catch (error) {
      this.logger.warn(`corrupt report ${path} (${decoded}); could not move it aside: ${String(error)}`);
    }
    return undefined;
  }

  async update(sessionId: string, merge: ReportMerge, known?: StoredSessionReport): Promise<StoredSessionReport | undefined> {
    const path = this.pathOf(sessionId);
    await this.ensureDirectory();
    const lock = await FileLock.acquire(this.lockPathOf(sessionId), { timeoutMs: LOCK_WAIT_MS });
    try {
      // Under the lock no writer changes the file: the stamp taken now is the stamp of what is read.
      const stamp = await fileStamp(path);
      let stored: StoredSessionReport | undefined;
      if (stamp !== undefined && known !== undefined && this.stamps.get(known) === stamp) stored = known;
      else if (stamp !== undefined && (stored = await this.get(sessionId)) !== undefined) this.stamps.set(stored, stamp);
      const next = merge(stored);
      if (next === undefined) return stored;
      this.stamps.set(next, await writeReportFile(path, this.tempPath(sessionId), next, lock));
      return next;
    } finally {
      await lock.release();
    }
  }

  updateSync(sessionId: string, merge: ReportMerge, known?: StoredSessionReport): StoredSessionReport | undefined {
    const path = this.pathOf(sessionId);
    mkdirSync(this.directory, { recursive: true });
    const lock = this.lockSync(sessionId);
    try {
      const stamp = fileStampSync(path);
      let stored: StoredSessionReport | undefined;
      if (stamp !== undefined && known !== undefined && this.stamps.get(known) === stamp) stored = known;
      else if (stamp !== undefined && (stored = this.getSync(sessionId)) !== undefined) this.stamps.set(stored, stamp);
      const next = merge(stored);
      if (next === undefined) return stored;
      this.stamps.set(next, writeReportFileSync(path, this.tempPath(sessionId), next, lock));
      return next;
    } finally {
      lock.releaseSync();
    }
  }

  async put(report: StoredSessionReport): Promise<void> {
    const path = this.pathOf(report.sessionId);
    await this.ensureDirectory();
    const lock = await FileLock.acquire(this.lockPathOf(report.sessionId), { timeoutMs: LOCK_WAIT_MS });
    try {
      this.stamps.set(report, await writeReportFile(path, this.tempPath(report.sessionId), report, lock));
    } finally {
      await lock.release();
    }
  }

  putSync(report: StoredSessionReport): void {
    const path = this.pathOf(report.sessionId);
    mkdirSync(this.directory, { recursive: true });
    const lock = this.lockSync(report.sessionId);
    try {
      this.stamps.set(report, writeReportFileSync(path, this.tempPath(report.sessionId), report, lock));
    } finally {
      lock.releaseSync();
    }
  }

  /** The id in `.store-id` of the directory (made if there is none); see `ReportStore.identity`. */
  identity(): string | undefined {
    return (this.storeId ??= readOrCreateStoreId(this.directory));
  }

  async list(): Promise<SessionSummary[]> {
    return (await this.digests.list()).map((digest) => digest.summary);
  }

  listDigests(): Promise<SessionDigest[]> {
    return this.digests.list();
  }

  async delete(sessionId: string): Promise<boolean> {
    const path = this.pathOf(sessionId);
    // Under the lock, so that a write under way cannot bring the report back.
    let lock: FileLock;
    try {
      lock = await FileLock.acquire(this.lockPathOf(sessionId), { timeoutMs: LOCK_WAIT_MS });
    } catch (error) {
      if (isMissing(error)) return false; // no directory: nothing to delete
      throw error;
    }
    try {
      await unlink(path);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    } finally {
      await lock.release();
    }
  }

  private ensureDirectory(): Promise<unknown> {
    return (this.directoryReady ??= mkdir(this.directory, { recursive: true }).catch((error: unknown) => {
      this.directoryReady = undefined;
      throw error;
    }));
  }

  private lockSync(sessionId: string): FileLock {
    return FileLock.acquireSync(this.lockPathOf(sessionId), { timeoutMs: LOCK_WAIT_SYNC_MS, budget: this.syncWait });
  }

  private lockPathOf(sessionId: string): string {
    return join(this.directory, `.${sessionId}${REPORT_SUFFIX}.lock`);
  }

  private tempPath(sessionId: string): string {
    return join(this.directory, `.${sessionId}${REPORT_SUFFIX}.${process.pid}.${++this.tempCounter}.tmp`);
  }
}

/** The report, or why the text is corrupt. Throws `UnreadableReportError` for a newer schema. */
function decode(path: string, text: string, checkStoredReport: StoredReportCheck): StoredSessionReport | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return `not valid JSON: ${(error as Error).message}`;
  }
  const checked = checkStoredReport(doc);
  if (!isStoredReportProblem(checked)) return checked;
  if (checked.kind === 'newer') throw new UnreadableReportError(`${path}: ${checked.message}`);
  return checked.message;
}

function asidePath(path: string): string {
  return `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
