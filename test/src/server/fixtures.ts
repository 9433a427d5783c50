import type { CallRecord } from '../../../src/reports/call-record.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import { createReports } from '../../../src/reports/reports.js';
import type { StoredSessionReport } from '../../../src/document/report.js';
import { SessionAggregate } from '../../../src/reports/session-aggregate.js';
import { recordingLogger } from '../../helpers/tracking.js';

export const T0 = Date.UTC(2026, 0, 1);

export interface CallSpec {
  readonly tool: string;
  readonly ms: number;
  readonly error?: string;
  readonly operationType?: string;
}

/** A stored report of `calls`, starting at `startMs`, one call every 10 ms. */
export function storedReport(sessionId: string, startMs: number, calls: readonly CallSpec[]): StoredSessionReport {
  const aggregate = new SessionAggregate(sessionId, 100);
  calls.forEach((spec, i) => {
    const call: CallRecord = {
      sessionId,
      operationType: spec.operationType ?? 'tool-execution',
      toolName: spec.tool,
      callId: `c${i}`,
      startTimeMs: startMs + i * 10,
      durationMs: spec.ms,
      errorType: spec.error,
      traceId: undefined,
      spanId: undefined,
    };
    aggregate.add(call);
  });
  return aggregate.toStored();
}

/** Reports over an in-memory store. */
export function memoryReports() {
  const store = new InMemoryReportStore(100_000);
  const logger = recordingLogger();
  const reports = createReports({ store, logger, writeIntervalMs: 60_000 });
  return { store, logger, reports };
}
