import { lstatSync, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { join } from 'node:path';
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
const DIGEST_BATCH = 200;
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
   * The digest a regular report file carries in its first line (see `report-text.ts`), read
   * synchronously; undefined when it has none, and `read` is asked instead.
   */
  readonly readDigest: (sessionId: string) => SessionDigest | undefined;
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
      const names = await readdir(directory);
      const ids = names.filter((n) => n.endsWith(suffix) && !n.startsWith('.')).map((n) => n.slice(0, -suffix.length));
      const seen = new Set<string>();
      const changed: [string, Fingerprint][] = [];
      for (let i = 0; i < ids.length; i += STAT_BATCH) {
        if (i > 0) await yieldToEventLoop();
        for (const id of ids.slice(i, i + STAT_BATCH)) {
          const fingerprint = this.fingerprintOf(id);
          if (fingerprint === undefined) continue;
          seen.add(id);
          const cached = this.entries.get(id)?.fingerprint;
          if (cached === undefined || !sameFingerprint(cached, fingerprint)) changed.push([id, fingerprint]);
        }
      }
      const whole: [string, Fingerprint][] = [];
      for (let i = 0; i < changed.length; i++) {
        if (i > 0 && i % DIGEST_BATCH === 0) await yieldToEventLoop();
        const [id, fingerprint] = changed[i] as [string, Fingerprint];
        const digest = fingerprint.regular ? this.digestInFile(id) : undefined;
        if (digest === undefined) whole.push([id, fingerprint]);
        else this.entries.set(id, { fingerprint, digest });
      }
      for (let i = 0; i < whole.length; i += READ_CONCURRENCY) {
        await Promise.all(whole.slice(i, i + READ_CONCURRENCY).map(([id, fingerprint]) => this.reread(id, fingerprint)));
      }
      if (changed.length > 0) this.snapshot = undefined;
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

  private fingerprintOf(sessionId: string): Fingerprint | undefined {
    let s: Stats | undefined;
    try {
      // The entry itself, never a link's target: the read refuses links, and sets them aside.
      s = lstatSync(join(this.options.directory, `${sessionId}${this.options.suffix}`), { throwIfNoEntry: false });
    } catch (error) {
      // Gone or unreadable between readdir and stat: the file is left out of this listing.
      this.options.logger.warn(`skipping stored report ${sessionId}: ${(error as Error).message}`);
      return undefined;
    }
    return s && { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, regular: s.isFile() };
  }

  private digestInFile(sessionId: string): SessionDigest | undefined {
    try {
      return this.options.readDigest(sessionId);
    } catch {
      // Unreadable now (EACCES, EIO): the whole read says why, once.
      return undefined;
    }
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

function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
