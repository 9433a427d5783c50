import { describe, expect, it } from 'vitest';
import { createReports, exitHooksOf, type Reports } from '../../../src/reports/reports.js';
import type { CallRecord } from '../../../src/reports/call-record.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import { InvalidSessionIdError } from '../../../src/util/session-id.js';
import { recordingLogger } from '../../helpers/tracking.js';

const T0 = Date.UTC(2026, 0, 1);

const call = (overrides: Partial<CallRecord> = {}): CallRecord => ({
  sessionId: 'ses_1', operationType: 'tool-execution', toolName: 'read', callId: undefined,
  startTimeMs: T0, durationMs: 5, errorType: undefined, traceId: undefined, spanId: undefined, ...overrides,
});

function open(): { reports: Reports; store: InMemoryReportStore } {
  const store = new InMemoryReportStore();
  return { store, reports: createReports({ store, logger: recordingLogger(), writeIntervalMs: 60_000 }) };
}

describe('createReports', () => {
  it('folds calls given directly and answers every query from them, before and after writing', async () => {
    const { reports, store } = open();
    reports.record(call());
    reports.record(call({ toolName: 'grep', durationMs: 7, errorType: 'ENOENT' }));
    reports.record(call({ sessionId: 'ses_2', startTimeMs: T0 + 1000 }));
    expect((await reports.getOperationStats({ sessionId: 'ses_1', operationType: 'tool-execution' }))?.count).toBe(2);
    expect((await reports.getOperationStats({ sessionId: 'ses_1', operationType: 'tool-execution', toolName: 'grep' }))?.errorTypes).toEqual({ ENOENT: 1 });
    expect(await reports.getOperationStats({ sessionId: 'ses_1', operationType: 'tool-execution', toolName: 'constructor' })).toBeUndefined();
    expect((await reports.listSessions()).map((s) => s.sessionId)).toEqual(['ses_2', 'ses_1']);
    expect(await store.get('ses_1')).toBeUndefined(); // debounced: nothing written yet
    await reports.flush();
    expect((await store.get('ses_1'))?.operations['tool-execution']?.count).toBe(2);
    const page = await reports.listSessionsPage({ limit: 1 });
    expect(page).toMatchObject({ hasMore: true, sessions: [{ sessionId: 'ses_2' }] });
    expect((await reports.listSessionsPage({ limit: 1, after: page.sessions[0] })).sessions.map((s) => s.sessionId)).toEqual(['ses_1']);
    expect((await reports.listToolTrends()).map((t) => t.toolName).sort()).toEqual(['grep', 'read']);
    await reports.shutdown();
  });

  it('refuses a call that is not one, naming what is wrong, and folds nothing of it', async () => {
    const { reports } = open();
    expect(() => reports.record(call({ sessionId: '../etc' }))).toThrow(InvalidSessionIdError);
    expect(() => reports.record(call({ toolName: '' }))).toThrow(/toolName/);
    expect(() => reports.record(call({ startTimeMs: 1e300 }))).toThrow(/startTimeMs/);
    expect(() => reports.record(call({ durationMs: -1 }))).toThrow(/durationMs/);
    expect(() => reports.record(call({ durationMs: Number.NaN }))).toThrow(/durationMs/);
    expect(await reports.listSessions()).toEqual([]);
    await reports.shutdown();
  });

  it('ends and clears sessions, validating their IDs', async () => {
    const { reports, store } = open();
    reports.record(call());
    await reports.endSession('ses_1');
    expect((await store.get('ses_1'))?.endedAt).toBeDefined();
    await expect(reports.getReport({ sessionId: '../x' })).rejects.toThrow(InvalidSessionIdError);
    expect(await reports.clear({ sessionId: 'ses_1' })).toBe(1);
    expect(await reports.clear({ sessionId: 'ses_1' })).toBe(0);
    await reports.shutdown();
  });

  it('shuts down once: the exporter answers FAILED afterwards, and the exit hooks belong to reports made here only', async () => {
    const { reports, store } = open();
    reports.record(call());
    const hooks = exitHooksOf(reports);
    expect(hooks?.hasUnwritten()).toBe(true);
    hooks?.flushSync(); // an in-memory store has no synchronous write: nothing to do, nothing thrown
    const first = reports.shutdown();
    expect(reports.shutdown()).toBe(first);
    await first;
    expect((await store.get('ses_1'))?.operations['tool-execution']?.count).toBe(1);
    let code: number | undefined;
    reports.exporter.export([], (result) => (code = result.code));
    expect(code).toBe(1);
    expect(exitHooksOf({ ...reports })).toBeUndefined();
  });
});
