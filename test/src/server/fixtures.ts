import type { CallRecord } from '../../../src/reports/call-record.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import { createReports } from '../../../src/reports/reports.js';
import type { StoredSessionReport } from '../../../src/document/report.js';
import { SessionAggregate } from '../../../src/reports/session-aggregate.js';
import { recordingLogger } from '../../helpers/tracking.js';
import { prng } from '../../helpers/prng.js';

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

/** Median durations of five tools, ms: from glob's few ms to bash's hundreds. */
const SESSION_TOOLS: Readonly<Record<string, number>> = { read: 4, grep: 12, edit: 8, glob: 3, bash: 300 };

/**
 * A seeded agent session's calls: `perTool` calls of each of five tools, durations lognormal
 * around the tool's median (σ = 0.5: a p95 about 2.3 times the p50, as repeated calls of one tool
 * spread), 5% failing, `slower` times slower for the tools it names.
 */
export function sessionCalls(seed: number, perTool: number, slower: Readonly<Record<string, number>> = {}): CallSpec[] {
  const random = prng(seed);
  const calls: CallSpec[] = [];
  for (const [tool, median] of Object.entries(SESSION_TOOLS)) {
    for (let i = 0; i < perTool; i++) {
      const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      calls.push({ tool, ms: median * (slower[tool] ?? 1) * Math.exp(0.5 * normal), ...(random() < 0.05 ? { error: 'ENOENT' } : {}) });
    }
  }
  return calls;
}
