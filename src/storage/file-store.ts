import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { consoleLogger, type Logger } from '../util/logger.js';
import { FileDigestCache, isMissing } from './file-digest-cache.js';
import { FileLock } from './file-lock.js';
import { summarize, type SessionSummary, type StoredSessionReport } from '../document/report.js';
import type { ReportMerge, ReportStore } from './report-store.js';
import { fileStamp, fileStampSync, removeUnfinishedTempFilesSync, writeReportFile, writeReportFileSync } from './report-file-write.js';
import { readOrCreateStoreId, readStoreId } from './store-identity.js';
import { StoreSecretFile } from './store-secret.js';
import type { SessionDigest } from './session-digest.js';
import { assertValidSessionId } from '../util/session-id.js';
import { loadStoredReportCheck, storedReportCheckSync } from '../document/check-stored-report.js';
import { readReportFile, readReportFileSync } from './report-file.js';
import { readDigestLine, type DigestLine } from './report-text.js';
import { CorruptReportError, decodeReport, leftInPlace, setAside, setAsideSync } from './report-decode.js';
export { CorruptReportError, UnreadableReportError } from './report-decode.js';
import { tempFileName } from './temp-files.js';
import { WritableDirectory } from './writable-directory.js';

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
/** A read-only listing that had to read this many reports whole says why it was slow. */
const SLOW_LISTING_HINT = 50;

export interface FileReportStoreOptions {
  /**
   * Read only: nothing in the directory is written, moved or removed. A corrupt report is not set
   * aside but reported (`get` rejects with `CorruptReportError`, a listing leaves it out and says
   * so), and every write rejects. What the CLI's reading commands open.
   */
  readonly readOnly?: boolean;
}

/**
 * One JSON document per session (`report-text.ts`), written atomically (temp file, fsync, rename,
 * fsync of the directory). A corrupt file (also: not a regular file of at most `MAX_REPORT_BYTES`,
 * or another session's report) is reported once and renamed aside (`<id>.json.corrupt-<time>`),
 * never fatal to the other sessions; a store opened `readOnly` leaves it. Listing reads each
 * report's first line (its digest), keeps the digests in memory and re-reads only changed files.
 * Every write holds the session's lock (`.<id>.json.lock`, see `FileLock`), so processes sharing
 * the directory merge into each other's reports instead of replacing them.
 */
export class FileReportStore implements ReportStore {
  readonly directory: string;
  private readonly writable: WritableDirectory;
  private readonly digests: FileDigestCache;
  /**
   * The file stamp of each report this store wrote or read under a lock: handed back as `known`,
   * a report whose file did not change since is not read again (in the common case of one writer,
   * a write then reads nothing).
   */
  private readonly stamps = new WeakMap<StoredSessionReport, string>();
  private storeId: string | undefined;
  private secretFile: StoreSecretFile | undefined;
  /** What is left of `LOCK_WAIT_SYNC_MS` for this store's synchronous writes. */
  private readonly syncWait = { leftMs: LOCK_WAIT_SYNC_MS };
  /** See `rewriteUndigested`. */
  private readonly undigested = new Set<string>();
  private rewriting: Promise<void> | false = false;

  constructor(
    dataDir: string,
    private readonly logger: Logger = consoleLogger,
    private readonly options: FileReportStoreOptions = {},
  ) {
    this.directory = join(dataDir, REPORTS_SUBDIRECTORY);
    this.writable = new WritableDirectory(this.directory, REPORT_SUFFIX);
    this.digests = new FileDigestCache({
      directory: this.directory,
      suffix: REPORT_SUFFIX,
      readDigest: (id) => this.readFirstLine(id),
      read: (id) => this.get(id),
      logger,
    });
  }

  /** The file of a session's report; throws `InvalidSessionIdError` for an unsafe ID. */
  pathOf(sessionId: string): string {
    assertValidSessionId(sessionId);
    // Not `join`: the directory is normalized already and a valid id holds no separator (a listing
    // makes thousands of these).
    return `${this.directory}${sep}${sessionId}${REPORT_SUFFIX}`;
  }

  async get(sessionId: string): Promise<StoredSessionReport | undefined> {
    const path = this.pathOf(sessionId);
    const file = await readReportFile(path);
    if (file.kind === 'missing') return undefined;
    const decoded = file.kind === 'text' ? decodeReport(path, sessionId, file.text, await loadStoredReportCheck()) : file.reason;
    if (typeof decoded !== 'string') return decoded;
    if (this.readOnly) throw new CorruptReportError(leftInPlace(path, decoded));
    await setAside(path, decoded, this.logger);
    return undefined;
  }

  getSync(sessionId: string): StoredSessionReport | undefined {
    const path = this.pathOf(sessionId);
    const file = readReportFileSync(path);
    if (file.kind === 'missing') return undefined;
    const decoded = file.kind === 'text' ? decodeReport(path, sessionId, file.text, storedReportCheckSync()) : file.reason;
    if (typeof decoded !== 'string') return decoded;
    if (this.readOnly) throw new CorruptReportError(leftInPlace(path, decoded));
    setAsideSync(path, decoded, this.logger);
    return undefined;
  }

  abandonWritesSync = removeUnfinishedTempFilesSync;

  /** See `readDigestLine`; an outdated report is noted for `rewriteUndigested`. Throws only for an I/O error. */
  readFirstLine(sessionId: string): DigestLine | 'unusable' | undefined {
    const line = readDigestLine(this.pathOf(sessionId), sessionId);
    if (typeof line === 'object' && line.outdated) this.undigested.add(sessionId);
    return line;
  }

  async update(sessionId: string, merge: ReportMerge, known?: StoredSessionReport): Promise<StoredSessionReport | undefined> {
    this.pathOf(sessionId);
    this.assertWritable();
    return this.writable.run(() => this.updateNow(sessionId, merge, known));
  }

  private async updateNow(sessionId: string, merge: ReportMerge, known: StoredSessionReport | undefined): Promise<StoredSessionReport | undefined> {
    const path = this.pathOf(sessionId);
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
    this.assertWritable();
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
    this.assertWritable();
    await this.writable.run(async () => {
      const lock = await FileLock.acquire(this.lockPathOf(report.sessionId), { timeoutMs: LOCK_WAIT_MS });
      try {
        this.stamps.set(report, await writeReportFile(path, this.tempPath(report.sessionId), report, lock));
      } finally {
        await lock.release();
      }
    });
  }

  /**
   * The write at exit, under the session's lock like every write: a `put` still under way has
   * either renamed already or finds, just before its rename, that it no longer holds the lock.
   */
  putSync(report: StoredSessionReport): void {
    const path = this.pathOf(report.sessionId);
    this.assertWritable();
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
    return (this.storeId ??= this.readOnly ? readStoreId(this.directory) : readOrCreateStoreId(this.directory));
  }

  /** `.fingerprint-secret` in the directory, made (0600) once if the store writes; see `ReportStore.secret`. */
  secret = async (): Promise<Uint8Array> => this.secretSync();
  secretSync = (): Uint8Array => (this.secretFile ??= new StoreSecretFile(this.directory, !this.readOnly)).read();

  async list(): Promise<SessionSummary[]> {
    return (await this.listDigests()).map((digest) => digest.summary);
  }

  async listDigests(): Promise<SessionDigest[]> {
    const digests = await this.digests.list();
    if (!this.readOnly) this.rewriteUndigested();
    else if (this.undigested.size >= SLOW_LISTING_HINT) {
      // Nothing here may rewrite them: say why listing is slow, and what fixes it, once.
      this.logger.warn(`${this.undigested.size} reports in ${this.directory} were written by an earlier version of toolperf, so listing read them whole; toolperf serve (or any process writing there) rewrites them once`);
      this.undigested.clear();
    }
    return digests;
  }

  /**
   * Rewrites, one at a time and in the background, the reports a listing found outdated (written
   * by an earlier version, or before a digest field was added) and read whole, so that the next
   * listing reads their first line only: migration on write, by a writer (a read-only store never does).
   * Under the session's lock like every write; best effort (a report that fails stays as it was),
   * and never made where the directory is gone.
   */
  private rewriteUndigested(): void {
    if (this.undigested.size === 0 || this.rewriting) return;
    this.rewriting = (async () => {
      for (const id of this.undigested) {
        this.undigested.delete(id);
        await this.updateNow(id, (stored) => stored, undefined).catch(() => undefined);
      }
    })().finally(() => {
      this.rewriting = false;
    });
  }

  delete(sessionId: string): Promise<boolean> {
    return this.deleteIf(sessionId, () => true);
  }

  /**
   * Deletes the session's report if `test` holds for its summary, read under the session's lock (so
   * a write under way cannot change it between the test and the delete, nor bring it back after).
   */
  async deleteIf(sessionId: string, test: (summary: SessionSummary) => boolean): Promise<boolean> {
    const path = this.pathOf(sessionId);
    this.assertWritable();
    let lock: FileLock;
    try {
      lock = await FileLock.acquire(this.lockPathOf(sessionId), { timeoutMs: LOCK_WAIT_MS });
    } catch (error) {
      if (isMissing(error)) return false; // no directory: nothing to delete
      throw error;
    }
    try {
      const summary = await this.summaryOf(sessionId);
      if (summary === undefined || !test(summary)) return false;
      await unlink(path);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    } finally {
      await lock.release();
    }
  }

  /** The summary of the stored report: from its first line, else from the report read whole. */
  private async summaryOf(sessionId: string): Promise<SessionSummary | undefined> {
    const first = this.readFirstLine(sessionId);
    if (typeof first === 'object' && first.digest !== undefined) return first.digest.summary;
    const report = await this.get(sessionId);
    return report && summarize(report);
  }

  private get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  private assertWritable(): void {
    if (this.readOnly) throw new Error(`${this.directory} was opened read-only: nothing is written there`);
  }

  private lockSync(sessionId: string): FileLock {
    return FileLock.acquireSync(this.lockPathOf(sessionId), { timeoutMs: LOCK_WAIT_SYNC_MS, budget: this.syncWait });
  }

  private lockPathOf(sessionId: string): string {
    return join(this.directory, `.${sessionId}${REPORT_SUFFIX}.lock`);
  }

  private tempPath(sessionId: string): string {
    return join(this.directory, tempFileName(`${sessionId}${REPORT_SUFFIX}`));
  }
}
