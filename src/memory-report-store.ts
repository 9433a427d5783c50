import { summarize, type SessionSummary, type StoredSessionReport } from './report.js';
import type { ReportStore } from './report-store.js';

/**
 * Reports in memory, for `saveReports: false` and tests. Holds at most `maxSessions`; the least
 * recently written is dropped first.
 */
export class InMemoryReportStore implements ReportStore {
  private readonly reports = new Map<string, StoredSessionReport>();

  constructor(private readonly maxSessions = 1000) {}

  async get(sessionId: string): Promise<StoredSessionReport | undefined> {
    return this.getSync(sessionId);
  }

  async put(report: StoredSessionReport): Promise<void> {
    this.putSync(report);
  }

  async list(): Promise<SessionSummary[]> {
    return [...this.reports.values()].map(summarize);
  }

  async delete(sessionId: string): Promise<boolean> {
    return this.reports.delete(sessionId);
  }

  getSync(sessionId: string): StoredSessionReport | undefined {
    return this.reports.get(sessionId);
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
