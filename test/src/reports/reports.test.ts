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

  it('refuses times that are not epoch milliseconds within 100 years of now (nanoseconds, microseconds)', async () => {
    const { reports } = open();
    expect(() => reports.record(call({ startTimeMs: T0 * 1e6 }))).toThrow(/startTimeMs/);
    expect(() => reports.record(call({ startTimeMs: T0 * 1e3 }))).toThrow(/startTimeMs/);
    // An end given in nanoseconds, as a duration from a start in milliseconds.
    expect(() => reports.record(call({ durationMs: T0 * 1e6 - T0 }))).toThrow(/durationMs/);
    expect(await reports.listSessions()).toEqual([]);
    await reports.shutdown();
  });

  it('cuts names, ids and error types to their limits, so a call cannot make a report huge', async () => {
    const { reports, store } = open();
    const huge = (c: string) => c.repeat(4_000_000);
    for (let i = 0; i < 20; i++) {
      reports.record(call({ toolName: huge('t'), operationType: huge('o'), callId: huge('c'), errorType: huge('E'), traceId: huge('a'), spanId: huge('b'), errorMessage: huge('m') }));
    }
    await reports.flush();
    const stored = await store.get('ses_1');
    const [type, operation] = Object.entries(stored?.operations ?? {})[0]!;
    expect(type).toHaveLength(256);
    expect(Object.keys(operation.tools)[0]).toHaveLength(256);
    expect(Object.keys(operation.errorTypes)[0]).toHaveLength(128);
    expect(stored?.recent[0]).toMatchObject({ callId: expect.any(String), traceId: expect.any(String), spanId: expect.any(String) });
    for (const field of ['callId', 'traceId', 'spanId'] as const) expect(stored?.recent[0]?.[field]).toHaveLength(1024);
    expect(stored?.recent[0]?.errorMessage).toBe(`${'m'.repeat(299)}…`);
    // 20 calls, each with 24 MB of strings: a few tens of KB stored.
    expect(JSON.stringify(stored).length).toBeLessThan(100_000);
    await reports.shutdown();
  });

  it("keeps a failed call's error message in its recent call, unless recordErrorMessages is off", async () => {
    const message = "ENOENT: no such file or directory, open '/home/me/secret.txt'";
    for (const recordErrorMessages of [undefined, true, false]) {
      const store = new InMemoryReportStore();
      const reports = createReports({ store, logger: recordingLogger(), writeIntervalMs: 60_000, ...(recordErrorMessages === undefined ? {} : { recordErrorMessages }) });
      reports.record(call({ errorType: 'ENOENT', errorMessage: message }));
      reports.record(call({ errorType: 'EACCES', errorMessage: 'permission denied', sessionId: 'ses_2' }));
      await reports.flush();
      const kept = recordErrorMessages !== false;
      expect((await reports.getReport({ sessionId: 'ses_1' }))?.recent[0]?.errorMessage, String(recordErrorMessages)).toBe(kept ? message : undefined);
      expect(JSON.stringify(await store.get('ses_2')).includes('permission denied'), String(recordErrorMessages)).toBe(kept);
      await reports.shutdown();
    }
  });

  it('refuses an error message that is not a string', async () => {
    const { reports } = open();
    expect(() => reports.record(call({ errorType: 'E', errorMessage: 42 as unknown as string }))).toThrow(/errorMessage must be a string/);
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
