import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { REPORTS_SUBDIRECTORY } from './file-store.js';

/**
 * Why `dataDir` cannot hold reports, or undefined if it can: its reports directory is made (as a
 * first write would), listed, and a file written in it and removed. Checked by trying rather than
 * by permission bits, which neither root nor a read-only mount nor an ACL honours the same way.
 * For a server about to take writes: refusing to start beats answering 500 to every request.
 */
export async function unusableDataDir(dataDir: string): Promise<string | undefined> {
  try {
    const stats = await stat(dataDir);
    if (!stats.isDirectory()) return 'it is a file, not a directory';
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') return reasonOf(error);
  }
  const reports = join(dataDir, REPORTS_SUBDIRECTORY);
  const probe = join(reports, `.probe-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(reports, { recursive: true });
    await readdir(reports);
    await (await open(probe, 'wx')).close();
    await unlink(probe);
    return undefined;
  } catch (error) {
    await unlink(probe).catch(() => undefined);
    return reasonOf(error);
  }
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function reasonOf(error: unknown): string {
  switch (codeOf(error)) {
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a part of its path is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'it is on a read-only file system';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return (error as Error).message;
  }
}
