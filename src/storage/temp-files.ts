import { randomBytes } from 'node:crypto';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A temp file older than this is left over by a writer that died (a live write holds its temp file
 * for milliseconds: write, fsync, rename); younger ones may belong to a writer at work.
 */
export const STALE_TEMP_FILE_MS = 10 * 60_000;

/**
 * A fresh temp name beside `fileName` (`.<fileName>.<random>.tmp`): hidden, so that listings skip
 * it, and random rather than pid and counter, which two processes share across PID namespaces or
 * hosts writing one data directory.
 */
export function tempFileName(fileName: string): string {
  return `.${fileName}.${randomBytes(8).toString('hex')}.tmp`;
}

/** Temp files of this version (random part) and earlier ones (`.<id>.json.<pid>.<n>.tmp`). */
function isTempFileName(name: string, suffix: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp') && name.includes(`${suffix}.`);
}

/**
 * Removes the temp files of writes that never finished (a process killed mid-write) once they are
 * `STALE_TEMP_FILE_MS` old. Best effort and quiet: a file that cannot be removed is left as it was.
 * Returns how many were removed.
 */
export async function removeStaleTempFiles(directory: string, suffix: string, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!isTempFileName(name, suffix)) continue;
    const path = join(directory, name);
    try {
      const stats = await lstat(path);
      if (!stats.isFile() || now - stats.mtimeMs < STALE_TEMP_FILE_MS) continue;
      await unlink(path);
      removed++;
    } catch {
      // Gone already (another process swept it), or not ours to remove.
    }
  }
  return removed;
}
