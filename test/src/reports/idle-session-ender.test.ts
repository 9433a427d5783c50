import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallRecord } from '../../../src/reports/call-record.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import { SessionRegistry, type SessionRegistryOptions } from '../../../src/reports/session-registry.js';
import { createReports } from '../../../src/reports/reports.js';
import { recordingLogger } from '../../helpers/tracking.js';

const MINUTE = 60_000;
let clock = Date.parse('2026-03-01T00:00:00Z');

const call = (sessionId: string, durationMs = 10): CallRecord => ({
  sessionId, operationType: 'tool-execution', toolName: 'read', callId: undefined,
  startTimeMs: (clock += 100), durationMs, errorType: undefined, traceId: undefined, spanId: undefined,
});

function registry(store: InMemoryReportStore, extra: Partial<SessionRegistryOptions> = {}) {
  return new SessionRegistry({ store, maxRecent: 5, writeIntervalMs: 1000, idleTimeoutMs: 15 * MINUTE, logger: recordingLogger(), now: () => clock, ...extra });
}

/** Moves the clock and lets the sweeps (every minute at most) run. */
async function pass(ms: number): Promise<void> {
  clock += ms;
  await vi.advanceTimersByTimeAsync(Math.min(ms, 2 * MINUTE));
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] }));
afterEach(() => vi.useRealTimers());

describe('ending idle sessions (endIdleAfterMs)', () => {
  it('ends a session idle past the threshold at its last call’s end, not before, and leaves its last update as it was', async () => {
    const store = new InMemoryReportStore();
    const r = registry(store, { endIdleAfterMs: 30 * MINUTE });
    r.record(call('ses_1'));
    const lastCallEnd = new Date(clock + 10).toISOString();
    await pass(20 * MINUTE); // written, and dropped from memory at 15 minutes: idle, not ended
    expect(await store.get('ses_1')).toMatchObject({ updatedAt: lastCallEnd });
    expect((await store.get('ses_1'))?.endedAt).toBeUndefined();
    await pass(11 * MINUTE);
    const ended = await store.get('ses_1');
    expect(ended).toMatchObject({ updatedAt: lastCallEnd, endedAt: lastCallEnd, startedAt: new Date(clock - 31 * MINUTE).toISOString() });
    expect(ended?.operations['tool-execution']?.count).toBe(1);
    await r.shutdown();
  });

  it('ends at the threshold when it is shorter than the idle timeout', async () => {
    const store = new InMemoryReportStore();
    const r = registry(store, { endIdleAfterMs: 2 * MINUTE, idleTimeoutMs: 15 * MINUTE });
    r.record(call('ses_1'));
    await pass(MINUTE);
    expect((await store.get('ses_1'))?.endedAt).toBeUndefined();
    await pass(2 * MINUTE);
    expect((await store.get('ses_1'))?.endedAt).toBeDefined();
    await r.shutdown();
  });

  it('does not end a session that had a call meanwhile, here or from another writer', async () => {
    const store = new InMemoryReportStore();
    const r = registry(store, { endIdleAfterMs: 30 * MINUTE });
    r.record(call('ses_here'));
    r.record(call('ses_there'));
    await pass(20 * MINUTE); // both dropped from memory, waiting to be ended
    r.record(call('ses_here')); // a call in this process
    const other = registry(store);
    other.record(call('ses_there')); // a call another process writes
    await other.shutdown();
    await pass(15 * MINUTE);
    expect((await store.get('ses_here'))?.endedAt).toBeUndefined();
    expect((await store.get('ses_there'))?.endedAt).toBeUndefined();
    expect((await store.get('ses_there'))?.operations['tool-execution']?.count).toBe(2);
    // ses_here waits again from its new call; ses_there was not this process's to end any more.
    await pass(31 * MINUTE);
    expect((await store.get('ses_here'))?.endedAt).toBeDefined();
    expect((await store.get('ses_there'))?.endedAt).toBeUndefined();
    await r.shutdown();
  });

  it('never ends a session without the threshold', async () => {
    const store = new InMemoryReportStore();
    const r = registry(store);
    r.record(call('ses_1'));
    await pass(24 * 60 * MINUTE);
    expect(await store.get('ses_1')).toBeDefined();
    expect((await store.get('ses_1'))?.endedAt).toBeUndefined();
    await r.shutdown();
  });

  it('lists the session idle, then ended, through the reports', async () => {
    const store = new InMemoryReportStore();
    const reports = createReports({ store, idleAfterMs: 5 * MINUTE, endIdleAfterMs: 30 * MINUTE, sessionIdleTimeoutMs: 15 * MINUTE, now: () => clock, logger: recordingLogger() });
    reports.record(call('ses_1'));
    const status = async () => (await reports.listSessions()).map((s) => s.status);
    expect(await status()).toEqual(['active']);
    await pass(6 * MINUTE);
    expect(await status()).toEqual(['idle']);
    await pass(25 * MINUTE);
    expect(await status()).toEqual(['ended']);
    await reports.shutdown();
  });
});

describe('Reports.endSession at a given time', () => {
  it('ends a live session at the time its source gave', async () => {
    const store = new InMemoryReportStore();
    const reports = createReports({ store, now: () => clock, logger: recordingLogger() });
    reports.record(call('ses_1'));
    const at = clock + 5_000;
    await reports.endSession('ses_1', { endedAtMs: at });
    expect((await store.get('ses_1'))?.endedAt).toBe(new Date(at).toISOString());
    await expect(reports.endSession('ses_1', { endedAtMs: Number.NaN })).rejects.toThrow(TypeError);
    await reports.shutdown();
  });
});
