import { describe, expect, it } from 'vitest';
import { createReports } from '../../../src/reports/reports.js';
import type { CallRecord } from '../../../src/reports/call-record.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import { WriteOutcomeUnknownError, type ReportStore } from '../../../src/storage/report-store.js';
import { recordingLogger } from '../../helpers/tracking.js';

const call = (i: number): CallRecord => ({
  sessionId: 'ses', operationType: 'tool-execution', toolName: 'read', callId: undefined, startTimeMs: 1_750_000_000_000 + i, durationMs: 1, errorType: undefined, traceId: undefined, spanId: undefined,
});

/**
 * A write whose outcome is unknown (a database connection lost as it committed): whether it landed
 * or not, the calls end up stored exactly once.
 */
describe('a write whose outcome is unknown', () => {
  it.each([
    ['it landed', true],
    ['it did not land', false],
  ])('%s: the next write stores every call once', async (_label, landed) => {
    const memory = new InMemoryReportStore();
    let failNext = true;
    const store: ReportStore = {
      get: (id) => memory.get(id),
      put: (report) => memory.put(report),
      list: () => memory.list(),
      delete: (id) => memory.delete(id),
      update: async (id, merge) => {
        if (!failNext) return memory.update(id, merge);
        failNext = false;
        if (landed) await memory.update(id, merge);
        throw new WriteOutcomeUnknownError('connection lost at COMMIT');
      },
    };
    const reports = createReports({ store, writeIntervalMs: 60_000, logger: recordingLogger() });
    for (let i = 0; i < 10; i++) reports.record(call(i));
    await reports.flush();
    // Meanwhile the live view counts each call once, whichever way it went.
    expect((await reports.getReport({ sessionId: 'ses' }))?.operations['tool-execution']?.count).toBe(10);
    for (let i = 10; i < 15; i++) reports.record(call(i));
    await reports.flush();
    expect((await memory.get('ses'))?.operations['tool-execution']?.count).toBe(15);
    await reports.shutdown();
    expect((await memory.get('ses'))?.operations['tool-execution']?.count).toBe(15);
  });
});
