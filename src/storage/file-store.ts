import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { consoleLogger, type Logger } from '../util/logger.js';
import { FileDigestCache } from './file-digest-cache.js';
import type { SessionSummary, StoredSessionReport } from '../document/report.js';
import type { ReportStore } from './report-store.js';
import type { SessionDigest } from './session-digest.js';
import { assertValidSessionId } from '../util/session-id.js';
import { isStoredReportProblem, loadStoredReportCheck, storedReportCheckSync, type StoredReportCheck } from '../document/check-stored-report.js';
import { readReportFile, readReportFileSync } from './report-file.js';
import { removeStaleTempFiles, tempFileName } from './temp-files.js';

/** Reports live in `<dataDir>/session/performance/`. */
export const REPORTS_SUBDIRECTORY = join('session', 'performance');
const REPORT_SUFFIX = '.json';

/** A stored report that this version cannot read and must not overwrite (written by a newer version). */
export class UnreadableReportError extends Error {
  override readonly name = 'UnreadableReportError';
}

/**
 * One JSON document per session, written atomically (temp file, fsync, rename, fsync of the
 * directory), so a crash mid-write leaves the previous report intact. A corrupt file is reported
 * once and renamed aside (`<id>.json.corrupt-<time>`), never fatal to the other sessions; so is
 * anything at a report's path that is not a regular file of at most `MAX_REPORT_BYTES` (a link, a
 * FIFO, a directory), and a report of another session. Listing keeps digests in memory and
 * re-reads only the files that changed since the last listing. The first write also removes the
 * temp files that killed writers left (see `removeStaleTempFiles`).
 */
export class FileReportStore implements ReportStore {
  readonly directory: string;
  private directoryReady: Promise<unknown> | undefined;
  private swept = false;
  /** Per session, the temp files of `put`s under way; a `putSync` takes them away (see there). */
  private readonly putsUnderWay = new Map<string, Set<string>>();
  /** Per session, how many `putSync`s there were: a `put` begun before one must not rename over it. */
  private readonly syncPuts = new Map<string, number>();
  private readonly digests: FileDigestCache;

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
    const file = await readReportFile(path);
    if (file.kind === 'missing') return undefined;
    const decoded = file.kind === 'text' ? decode(path, sessionId, file.text, await loadStoredReportCheck()) : file.reason;
    if (typeof decoded !== 'string') return decoded;
    const aside = asidePath(path);
    await rename(path, aside).then(
      () => this.movedAside(path, decoded, aside),
      (error: unknown) => this.movedAside(path, decoded, aside, error),
    );
    return undefined;
  }

  getSync(sessionId: string): StoredSessionReport | undefined {
    const path = this.pathOf(sessionId);
    const file = readReportFileSync(path);
    if (file.kind === 'missing') return undefined;
    const decoded = file.kind === 'text' ? decode(path, sessionId, file.text, storedReportCheckSync()) : file.reason;
    if (typeof decoded !== 'string') return decoded;
    const aside = asidePath(path);
    try {
      renameSync(path, aside);
      this.movedAside(path, decoded, aside);
    } catch (error) {
      this.movedAside(path, decoded, aside, error);
    }
    return undefined;
  }

  /** Says once that a file was set aside; quiet when another reader of the same file moved it first. */
  private movedAside(path: string, reason: string, aside: string, error?: unknown): void {
    if (error === undefined) this.logger.warn(`corrupt report ${path} (${reason}): moved to ${aside}`);
    else if (!isMissing(error)) this.logger.warn(`corrupt report ${path} (${reason}); could not move it aside: ${String(error)}`);
  }

  async put(report: StoredSessionReport): Promise<void> {
    const path = this.pathOf(report.sessionId);
    const syncPutsBefore = this.syncPuts.get(report.sessionId) ?? 0;
    const superseded = (): boolean => (this.syncPuts.get(report.sessionId) ?? 0) !== syncPutsBefore;
    await this.ensureDirectory();
    try {
      try {
        await this.replace(path, report, superseded);
      } catch (error) {
        if (!isMissing(error) || superseded()) throw error;
        // The directory was removed under us (by hand, or a cleanup job): made again, once.
        this.directoryReady = undefined;
        await this.ensureDirectory();
        await this.replace(path, report, superseded);
      }
    } catch (error) {
      // A report written since (the exit write) holds all this one did: nothing was lost.
      if (superseded()) return;
      throw error;
    }
    await syncDirectory(this.directory);
  }

  /** Made at the first write (and again if it disappears); the first also sweeps stale temp files. */
  private ensureDirectory(): Promise<unknown> {
    return (this.directoryReady ??= mkdir(this.directory, { recursive: true }).then(
      async () => {
        if (this.swept) return;
        this.swept = true;
        await removeStaleTempFiles(this.directory, REPORT_SUFFIX);
      },
      (error: unknown) => {
        this.directoryReady = undefined;
        throw error;
      },
    ));
  }

  /**
   * Temp file, fsync, rename: a reader sees the previous report or this one, never a mix. Not
   * renamed once `superseded` (a `putSync` wrote the session since this began).
   */
  private async replace(path: string, report: StoredSessionReport, superseded: () => boolean): Promise<void> {
    const temp = this.tempPath(report.sessionId);
    const underWay = this.putsUnderWay.get(report.sessionId) ?? new Set<string>();
    this.putsUnderWay.set(report.sessionId, underWay.add(temp));
    try {
      const file = await open(temp, 'w');
      try {
        await file.writeFile(JSON.stringify(report, null, 2));
        await file.sync();
      } finally {
        await file.close();
      }
      if (superseded()) throw new SupersededWriteError();
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    } finally {
      underWay.delete(temp);
      if (underWay.size === 0 && this.putsUnderWay.get(report.sessionId) === underWay) this.putsUnderWay.delete(report.sessionId);
    }
  }

  /**
   * The write at exit: it holds everything, so a `put` of the same session still under way must
   * not rename its older report over it afterwards. That `put` sees it before its rename; and a
   * rename already handed to the thread pool (where `process.exit` does not stop it) finds its
   * temp file gone, since it is removed here first.
   */
  putSync(report: StoredSessionReport): void {
    const path = this.pathOf(report.sessionId);
    this.syncPuts.set(report.sessionId, (this.syncPuts.get(report.sessionId) ?? 0) + 1);
    for (const underWay of this.putsUnderWay.get(report.sessionId) ?? []) removeQuietly(underWay);
    const temp = this.tempPath(report.sessionId);
    mkdirSync(this.directory, { recursive: true });
    try {
      const fd = openSync(temp, 'w');
      try {
        writeSync(fd, JSON.stringify(report, null, 2));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, path);
    } catch (error) {
      removeQuietly(temp);
      throw error;
    }
  }

  async list(): Promise<SessionSummary[]> {
    return (await this.digests.list()).map((digest) => digest.summary);
  }

  listDigests(): Promise<SessionDigest[]> {
    return this.digests.list();
  }

  async delete(sessionId: string): Promise<boolean> {
    try {
      await unlink(this.pathOf(sessionId));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  private tempPath(sessionId: string): string {
    return join(this.directory, tempFileName(`${sessionId}${REPORT_SUFFIX}`));
  }
}

/** The report, or why the text is corrupt. Throws `UnreadableReportError` for a newer schema. */
function decode(path: string, sessionId: string, text: string, checkStoredReport: StoredReportCheck): StoredSessionReport | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // V8's message quotes the text, and the file may be anything (a link's target once was /etc/passwd).
    return 'not valid JSON';
  }
  const checked = checkStoredReport(doc);
  if (!isStoredReportProblem(checked)) {
    // Copied or renamed from another session's file: its calls are not this session's.
    return checked.sessionId === sessionId ? checked : 'the report of another session';
  }
  if (checked.kind === 'newer') throw new UnreadableReportError(`${path}: ${checked.message}`);
  return checked.message;
}

/** Thrown inside `put` to skip the rename of a report a `putSync` replaced meanwhile. */
class SupersededWriteError extends Error {}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created, or renamed already
  }
}

function asidePath(path: string): string {
  return `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Makes the rename durable. Not every platform can open a directory; there it is skipped. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot fsync a directory; the rename itself is still atomic.
  }
}
