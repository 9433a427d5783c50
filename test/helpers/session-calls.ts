import type { CallRecord } from '../../src/reports/call-record.js';
import { createReports } from '../../src/reports/reports.js';
import type { Recommendation, SessionReport } from '../../src/document/report.js';
import { InMemoryReportStore } from '../../src/storage/memory-store.js';

export const SESSION = 'ses_recommend';

/** Builds the calls of one session, one after another from a fixed start (each `gapMs` after the previous one's end). */
export class SessionCalls {
  readonly calls: CallRecord[] = [];
  private at = Date.parse('2026-11-30T09:00:00.000Z');

  /** A call of `toolName` lasting `durationMs`, `gapMs` (default 1000: a model turn) after the previous one ended. */
  add(toolName: string, durationMs: number, options: { fingerprint?: string; errorType?: string; gapMs?: number; startMs?: number } = {}): this {
    const startTimeMs = options.startMs ?? this.at + (options.gapMs ?? 1000);
    this.calls.push({
      sessionId: SESSION,
      operationType: 'tool-execution',
      toolName,
      callId: undefined,
      startTimeMs,
      durationMs,
      errorType: options.errorType,
      traceId: undefined,
      spanId: undefined,
      argumentsFingerprint: options.fingerprint,
    });
    this.at = Math.max(this.at, startTimeMs + durationMs);
    return this;
  }

  /** `n` calls alike. */
  repeat(n: number, toolName: string, durationMs: number | ((i: number) => number), options: (i: number) => Parameters<SessionCalls['add']>[2] = () => ({})): this {
    for (let i = 0; i < n; i++) this.add(toolName, typeof durationMs === 'number' ? durationMs : durationMs(i), options(i));
    return this;
  }

  /** The session's report, as reports made over these calls give it (folded, written to memory). */
  async report(): Promise<SessionReport> {
    const reports = createReports({ store: new InMemoryReportStore(), writeIntervalMs: 60_000 });
    try {
      for (const call of this.calls) reports.record(call);
      const report = await reports.getReport({ sessionId: SESSION });
      if (report === undefined) throw new Error('no report');
      return report;
    } finally {
      await reports.shutdown();
    }
  }

  /** The report's recommendations of `kind`. */
  async recommendations(kind: string): Promise<Recommendation[]> {
    return ((await this.report()).recommendations ?? []).filter((r) => r.kind === kind);
  }
}
