import { randomBytes } from 'node:crypto';
import { summarize, type SessionSummary, type StoredSessionReport } from '../document/report.js';
import type { ReportMerge, ReportStore } from './report-store.js';
import { digestOf, type SessionDigest } from './session-digest.js';

/**
 * Reports in memory, for `saveReports: false` and tests. Holds at most `maxSessions`; the least
 * recently written is dropped first. One process's memory: `update` needs no lock, since a merge
 * runs synchronously from read to write.
 */
export class InMemoryReportStore implements ReportStore {
  private readonly reports = new Map<string, StoredSessionReport>();
  /** Keyed by the report object, so a digest lives exactly as long as the report it describes. */
  private readonly digests = new WeakMap<StoredSessionReport, SessionDigest>();

  /** Random per store: fingerprints compare within this process's memory only. */
  private readonly fingerprintSecret = randomBytes(32);

  constructor(private readonly maxSessions = 1000) {}

  async secret(): Promise<Uint8Array> {
    return this.secretSync();
  }

  secretSync(): Uint8Array {
    return this.fingerprintSecret;
  }

  async get(sessionId: string): Promise<StoredSessionReport | undefined> {
    return this.getSync(sessionId);
  }

  async update(sessionId: string, merge: ReportMerge): Promise<StoredSessionReport | undefined> {
    return this.updateSync(sessionId, merge);
  }

  async put(report: StoredSessionReport): Promise<void> {
    this.putSync(report);
  }

  async list(): Promise<SessionSummary[]> {
    return (await this.listDigests()).map((digest) => digest.summary);
  }

  async listDigests(): Promise<SessionDigest[]> {
    return [...this.reports.values()].map((report) => {
      let digest = this.digests.get(report);
      if (digest === undefined) this.digests.set(report, (digest = digestOf(report)));
      return digest;
    });
  }

  async delete(sessionId: string): Promise<boolean> {
    return this.reports.delete(sessionId);
  }

  async deleteIf(sessionId: string, test: (summary: SessionSummary) => boolean): Promise<boolean> {
    const report = this.reports.get(sessionId);
    return report !== undefined && test(summarize(report)) && this.reports.delete(sessionId);
  }

  getSync(sessionId: string): StoredSessionReport | undefined {
    return this.reports.get(sessionId);
  }

  updateSync(sessionId: string, merge: ReportMerge): StoredSessionReport | undefined {
    const stored = this.reports.get(sessionId);
    const next = merge(stored);
    if (next === undefined) return stored;
    this.putSync(next);
    return next;
  }

  putSync(report: StoredSessionReport): void {
    this.reports.delete(report.sessionId);
    this.reports.set(report.sessionId, report);
    if (this.reports.size > this.maxSessions) {
      const oldest = this.reports.keys().next().value;
      if (oldest !== undefined) this.reports.delete(oldest);
    }
  }
}
