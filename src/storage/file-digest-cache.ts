import { lstatSync, type Dirent, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sep } from 'node:path';
import type { Logger } from '../util/logger.js';
import { SerialTask } from '../util/serial-task.js';
import type { StoredSessionReport } from '../document/report.js';
import { digestOf, type SessionDigest } from './session-digest.js';
import { CorruptReportError } from './report-decode.js';

/**
 * Files stat'ed (or digests read) between two yields to the event loop. Synchronous stat is ~3
 * times faster than the thread pool's here (55 ms against 180 ms for 10,000 files); yielding keeps
 * requests flowing.
 */
const STAT_BATCH = 500;
const READ_CONCURRENCY = 16;
/**
 * A directory changed this close to a scan may change again within the same timestamp tick (file
 * systems stamp with a coarse clock), so its stamp is not trusted to mean "unchanged" (as git's
 * "racy clean" rule). Generous against 1-10 ms ticks.
 */
const RACY_MARGIN_NS = 50_000_000n;

interface Entry {
  readonly fingerprint: Fingerprint;
  /** Undefined for a file that could not be read (logged once per version of the file). */
  readonly digest: SessionDigest | undefined;
}

export interface FileDigestCacheOptions {
  readonly directory: string;
  readonly suffix: string;
  /**
   * Reads the first line of a regular report file (see `report-text.ts`), synchronously: the
   * digest it carries (undefined when it has none, and `read` is asked instead) and the file's
   * stats; undefined when the file is gone, `unusable` when it is not a regular file after all.
   */
  readonly readDigest: (sessionId: string) => { readonly digest: SessionDigest | undefined; readonly stats: Stats } | 'unusable' | undefined;
  /** Reads one report whole; may throw for a file that cannot be read. */
  readonly read: (sessionId: string) => Promise<StoredSessionReport | undefined>;
  readonly logger: Logger;
}

/**
 * The digests of a directory of reports, kept in memory and refreshed incrementally: a listing
 * stats the directory, and only when it changed stats the files and reads the digests of the ones
 * that changed (the first line of each; a report without one, written by an earlier version, is
 * read whole). Another process's writes are seen, since every write renames a file into the directory.
 */
export class FileDigestCache {
  private readonly entries = new Map<string, Entry>();
  /** The directory's mtime at the last scan, if that scan can be trusted to be complete. */
  private settledStamp: bigint | undefined;
  /** The last listing; handed out again while nothing changed, so callers may cache by identity. */
  private snapshot: SessionDigest[] | undefined;
  /** One scan at a time; a listing shares a scan not yet started, never one under way (which may predate the caller's writes). */
  private readonly scans = new SerialTask(() => this.scan());

  constructor(private readonly options: FileDigestCacheOptions) {}

  /**
   * Every readable report's digest, as of a scan that started after this call. While no report
   * changed, the same (frozen) array is returned.
   */
  list(): Promise<SessionDigest[]> {
    return this.scans.run();
  }

  private async scan(): Promise<SessionDigest[]> {
    const { directory, suffix } = this.options;
    const startedNs = BigInt(Date.now()) * 1_000_000n;
    let stamp: bigint;
    try {
      stamp = (await stat(directory, { bigint: true })).mtimeNs;
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.entries.clear();
      this.settledStamp = undefined;
      this.snapshot = undefined;
      return [];
    }
    if (stamp !== this.settledStamp) {
      const entries = await readdir(directory, { withFileTypes: true });
      const seen = new Set<string>();
      const whole: [string, Fingerprint][] = [];
      let changed = 0;
      for (let i = 0; i < entries.length; i++) {
        if (i > 0 && i % STAT_BATCH === 0) await yieldToEventLoop();
        const { name } = entries[i] as Dirent;
        if (!name.endsWith(suffix) || name.startsWith('.')) continue;
        const id = name.slice(0, -suffix.length);
        const cached = this.entries.get(id);
        // A session not listed before is opened at once (its fingerprint comes from the open file):
        // a cold listing of 10,000 reports makes one pass, not an lstat and then an open per file.
        // A regular file only, by the directory entry's type: a FIFO or device is never opened.
        const read = cached === undefined && (entries[i] as Dirent).isFile() ? this.readFirstLine(id) : this.fingerprintOf(id);
        if (read === undefined) continue;
        seen.add(id);
        const [fingerprint, known] = read;
        if (cached !== undefined && sameFingerprint(cached.fingerprint, fingerprint)) continue;
        changed++;
        const digest = known ?? (fingerprint.regular && cached !== undefined ? this.readFirstLine(id)?.[1] : undefined);
        if (digest === undefined) whole.push([id, fingerprint]);
        else this.entries.set(id, { fingerprint, digest });
      }
      for (let i = 0; i < whole.length; i += READ_CONCURRENCY) {
        await Promise.all(whole.slice(i, i + READ_CONCURRENCY).map(([id, fingerprint]) => this.reread(id, fingerprint)));
      }
      if (changed > 0) this.snapshot = undefined;
      for (const id of this.entries.keys()) {
        if (seen.has(id)) continue;
        this.entries.delete(id);
        this.snapshot = undefined;
      }
      this.settledStamp = stamp < startedNs - RACY_MARGIN_NS ? stamp : undefined;
    }
    if (this.snapshot === undefined) {
      const digests: SessionDigest[] = [];
      for (const entry of this.entries.values()) if (entry.digest) digests.push(entry.digest);
      this.snapshot = Object.freeze(digests) as SessionDigest[];
    }
    return this.snapshot;
  }

  /** The entry's own fingerprint (never a link's target), by `lstat`; no digest. */
  private fingerprintOf(sessionId: string): [Fingerprint, undefined] | undefined {
    let s: Stats | undefined;
    try {
      s = lstatSync(`${this.options.directory}${sep}${sessionId}${this.options.suffix}`, { throwIfNoEntry: false });
    } catch (error) {
      // Gone or unreadable between readdir and stat: the file is left out of this listing.
      this.options.logger.warn(`skipping stored report ${sessionId}: ${(error as Error).message}`);
      return undefined;
    }
    return s && [fingerprintOf(s), undefined];
  }

  /** The fingerprint of the open file and the digest in its first line (undefined if none); undefined if gone. */
  private readFirstLine(sessionId: string): [Fingerprint, SessionDigest | undefined] | undefined {
    let read: ReturnType<FileDigestCacheOptions['readDigest']>;
    try {
      read = this.options.readDigest(sessionId);
    } catch {
      // Unreadable now (EACCES, EIO): the whole read says why, once.
      return this.fingerprintOf(sessionId);
    }
    if (read === 'unusable') return this.fingerprintOf(sessionId);
    return read && [fingerprintOf(read.stats), read.digest];
  }

  private async reread(sessionId: string, fingerprint: Fingerprint): Promise<void> {
    let digest: SessionDigest | undefined;
    try {
      const report = await this.options.read(sessionId);
      digest = report && digestOf(report);
    } catch (error) {
      // A file named like a report but unreadable: left out of the list, said once per version of it
      // (a corrupt one, by a read-only store, with where it is and how to set it aside).
      const { message } = error as Error;
      this.options.logger.warn(error instanceof CorruptReportError ? message : `skipping stored report ${sessionId}: ${message}`);
    }
    this.entries.set(sessionId, { fingerprint, digest });
  }
}

/** inode, size, mtime and ctime: our writes replace the file (rename), so every write changes it. */
interface Fingerprint {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** A regular file (links, FIFOs and the like are never opened for their digest). */
  readonly regular: boolean;
}

function fingerprintOf(s: Stats): Fingerprint {
  return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, regular: s.isFile() };
}

function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
