import { closeSync, fstatSync, fsyncSync, lstatSync, openSync, renameSync, unlinkSync, writeSync, type BigIntStats } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StoredSessionReport } from '../document/report.js';
import type { FileLock } from './file-lock.js';
import { reportText } from './report-text.js';

/**
 * Writes `report` to `path` (laid out by `reportText`) atomically (to `temp`, fsync, rename, fsync of the directory) while
 * `lock`, its session's, is held: checked right before the rename, so that a writer whose lock was
 * taken over writes nothing. Resolves with the new file's stamp (see `stampOf`).
 */
export async function writeReportFile(path: string, temp: string, report: StoredSessionReport, lock: FileLock): Promise<string> {
  let stamp: string;
  unfinished.add(temp);
  try {
    const file = await open(temp, 'w');
    try {
      await file.writeFile(reportText(report));
      await file.sync();
      stamp = stampOf(await file.stat({ bigint: true }));
    } finally {
      await file.close();
    }
    await lock.assertHeld();
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    unfinished.delete(temp);
  }
  await syncDirectory(dirname(path));
  return stamp;
}

/** Temp files of this process's asynchronous writes that have not been renamed or removed yet. */
const unfinished = new Set<string>();

/**
 * At `process.exit`, where the asynchronous writes under way will never run again: removes the temp
 * files they made, which nothing else would remove until they are stale (`removeStaleTempFiles`).
 */
export function removeUnfinishedTempFilesSync(): void {
  for (const temp of unfinished) {
    try {
      unlinkSync(temp);
    } catch {
      // not made yet, or renamed meanwhile
    }
  }
  unfinished.clear();
}

/** `writeReportFile` without yielding, for the last write at exit. */
export function writeReportFileSync(path: string, temp: string, report: StoredSessionReport, lock: FileLock): string {
  try {
    const fd = openSync(temp, 'w');
    let stamp: string;
    try {
      writeSync(fd, reportText(report));
      fsyncSync(fd);
      stamp = stampOf(fstatSync(fd, { bigint: true }));
    } finally {
      closeSync(fd);
    }
    lock.assertHeldSync();
    renameSync(temp, path);
    return stamp;
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // the temp file was never created
    }
    throw error;
  }
}

/** The stamp of the file at `path` (not followed if a link), undefined if there is none. */
export async function fileStamp(path: string): Promise<string | undefined> {
  try {
    return stampOf(await lstat(path, { bigint: true }));
  } catch (error) {
    return ignoreMissing(error);
  }
}

export function fileStampSync(path: string): string | undefined {
  try {
    return stampOf(lstatSync(path, { bigint: true }));
  } catch (error) {
    return ignoreMissing(error);
  }
}

/**
 * Every write makes a new file (temp, then rename), so inode, size and mtime (ns) tell one version
 * of a report from another, without reading it.
 */
function stampOf(stats: BigIntStats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

function ignoreMissing(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  throw error;
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
