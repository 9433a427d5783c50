import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';

/**
 * The largest file read as a report. Reports are tens of KiB, but the largest one toolperf can
 * write (32 operation types × 256 tools, each with a full 2,048-bin sketch) measured 182 MiB, and
 * a report it wrote must read back; V8's longest string is ~512 MiB, so the 600 MB file that once
 * failed with "Invalid string length" is refused before it is read.
 */
export const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/** What is at a report's path: nothing, the text of a regular file, or something that is not a report file (and why). */
export type ReportFileRead =
  | { readonly kind: 'missing' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'unusable'; readonly reason: string };

const MISSING: ReportFileRead = { kind: 'missing' };
/**
 * No link is followed (a report named like a session must not read a file outside the data
 * directory), and opening never waits (a FIFO would hold a thread-pool thread until a writer came).
 * Where a platform has no such flag (Windows), the `lstat` before the open still refuses links.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
/** What `open` with O_NOFOLLOW answers for a link (Linux, FreeBSD, NetBSD). */
const LINK_CODES = new Set(['ELOOP', 'EMLINK', 'EFTYPE']);
/** Read beyond the size `fstat` gave, so that a file growing under the read is still bounded. */
const SLACK_BYTES = 1;

/**
 * Reads a report file: only a regular file, never through a link, never more than
 * `MAX_REPORT_BYTES`. Checked with `lstat` first (a FIFO or device is never opened, since opening
 * one can disturb its writer) and again on the open file (it may have been replaced in between).
 * Throws only for what a retry may cure (EACCES, EIO, ...).
 */
export async function readReportFile(path: string): Promise<ReportFileRead> {
  let stats: Stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return MISSING;
    throw error;
  }
  const before = unusable(stats);
  if (before) return before;
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    return openFailure(error);
  }
  try {
    stats = await handle.stat();
    const problem = unusable(stats);
    if (problem) return problem;
    let buffer: Buffer = Buffer.allocUnsafe(stats.size + SLACK_BYTES);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > MAX_REPORT_BYTES) return tooLarge(length);
        buffer = grown(buffer);
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) return { kind: 'text', text: buffer.toString('utf8', 0, length) };
      length += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** `readReportFile`, synchronously (the last write at `process.exit`). */
export function readReportFileSync(path: string): ReportFileRead {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return MISSING;
    throw error;
  }
  const before = unusable(stats);
  if (before) return before;
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    return openFailure(error);
  }
  try {
    stats = fstatSync(fd);
    const problem = unusable(stats);
    if (problem) return problem;
    let buffer: Buffer = Buffer.allocUnsafe(stats.size + SLACK_BYTES);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > MAX_REPORT_BYTES) return tooLarge(length);
        buffer = grown(buffer);
      }
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) return { kind: 'text', text: buffer.toString('utf8', 0, length) };
      length += bytesRead;
    }
  } finally {
    closeSync(fd);
  }
}

/** The first chunk of a report read for its first line: a digest of ~20 tools fits (a listing copies this much of each file). */
const FIRST_CHUNK_BYTES = 2048;
let firstChunk: Buffer | undefined;

/** What `readFirstLineSync` finds: the first line, and the file's own stats (taken on the open file). */
export type FirstLineRead =
  | { readonly kind: 'missing' }
  | { readonly kind: 'unusable'; readonly reason: string }
  | { readonly kind: 'line'; readonly text: string; readonly stats: Stats };

/**
 * The first line of a report file (with its line break), or all of it if it has none within
 * `maxBytes`: a listing reads this much of each report, not the report. Synchronous (a listing reads
 * thousands, and the thread pool's four threads made that ~4 times slower), with the same refusals
 * as `readReportFileSync` but for the `lstat` before opening: callers check the directory entry's
 * type first (a FIFO or device is never opened), and O_NOFOLLOW refuses a link.
 */
export function readFirstLineSync(path: string, maxBytes: number): FirstLineRead {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    return openFailure(error) as FirstLineRead;
  }
  try {
    const stats = fstatSync(fd);
    const problem = unusable(stats);
    if (problem) return problem as FirstLineRead;
    let buffer = (firstChunk ??= Buffer.allocUnsafe(FIRST_CHUNK_BYTES));
    let length = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      const end = buffer.indexOf(0x0a, length);
      length += bytesRead;
      if (end !== -1 && end < length) return { kind: 'line', text: buffer.toString('utf8', 0, end + 1), stats };
      if (bytesRead === 0 || length >= maxBytes) return { kind: 'line', text: buffer.toString('utf8', 0, length), stats };
      if (length === buffer.length) {
        const larger = Buffer.allocUnsafe(Math.min(maxBytes, buffer.length * 4));
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Why this is not a file to read a report from (`unusable`), or undefined. */
function unusable(stats: Stats): ReportFileRead | undefined {
  if (stats.isFile()) return stats.size > MAX_REPORT_BYTES ? tooLarge(stats.size) : undefined;
  const what = stats.isSymbolicLink()
    ? 'a symbolic link'
    : stats.isDirectory()
      ? 'a directory'
      : stats.isFIFO()
        ? 'a FIFO'
        : stats.isSocket()
          ? 'a socket'
          : 'a device';
  return { kind: 'unusable', reason: `${what}, not a regular file` };
}

function tooLarge(bytes: number): ReportFileRead {
  return { kind: 'unusable', reason: `${bytes} bytes, more than a report can be (${MAX_REPORT_BYTES})` };
}

/** `missing` or `unusable`, never `text`; throws for what a retry may cure. */
function openFailure(error: unknown): ReportFileRead {
  const code = codeOf(error);
  if (code === 'ENOENT') return MISSING;
  // Replaced by a link between lstat and open.
  if (code !== undefined && LINK_CODES.has(code)) return { kind: 'unusable', reason: 'a symbolic link, not a regular file' };
  throw error;
}

function grown(buffer: Buffer): Buffer {
  const larger = Buffer.allocUnsafe(Math.min(MAX_REPORT_BYTES + SLACK_BYTES, buffer.length * 2));
  buffer.copy(larger);
  return larger;
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
