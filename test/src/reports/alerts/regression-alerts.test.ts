import { afterEach, describe, expect, it } from 'vitest';
import { createReports, type Reports } from '../../../../src/reports/reports.js';
import { InMemoryReportStore } from '../../../../src/storage/memory-store.js';
import type { ReportStore } from '../../../../src/storage/report-store.js';
import { prng } from '../../../helpers/prng.js';
import { recordingLogger } from '../../../helpers/tracking.js';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

const opened: Reports[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((r) => r.shutdown()));
});

/** One ended session of `calls` calls of `read` around `aroundMs` (±25%, seeded), started at hour `hour`. */
async function session(reports: Reports, id: string, hour: number, aroundMs: number, calls: number, seed: number): Promise<void> {
  const random = prng(seed);
  for (let i = 0; i < calls; i++) {
    reports.record({
      sessionId: id, operationType: 'tool-execution', toolName: 'read', callId: undefined,
      startTimeMs: T0 + hour * HOUR + i * 100, durationMs: aroundMs * (0.75 + 0.5 * random()),
      errorType: undefined, traceId: undefined, spanId: undefined,
    });
  }
  await reports.endSession(id, { endedAtMs: T0 + hour * HOUR + calls * 100 });
}

function open(store: ReportStore = new InMemoryReportStore(), alerts?: NonNullable<Parameters<typeof createReports>[0]>['alerts']) {
  const reports = createReports({ store, logger: recordingLogger(), writeIntervalMs: 60_000, ...(alerts !== undefined ? { alerts } : {}) });
  opened.push(reports);
  return reports;
}

describe('regression alerts (the default rule)', () => {
  it('ten sessions at ~10 ms then one at ~40 ms: one alert for the tool, with the numbers; a session like the baseline: none', async () => {
    const reports = open();
    for (let s = 0; s < 10; s++) await session(reports, `ses_base${s}`, s, 10, 30, s + 1);
    expect(await reports.listAlerts()).toEqual([]);

    await session(reports, 'ses_slow', 10, 40, 30, 99);
    const alerts = await reports.listAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'large-regression', kind: 'regression', sessionId: 'ses_slow', toolName: 'read', state: 'firing' });
    const evidence = alerts[0]?.evidence as Record<string, number>;
    expect(evidence.sessionCalls).toBe(30);
    expect(evidence.baselineSessions).toBe(10);
    expect(evidence.baselineCalls).toBe(300);
    expect(evidence.p50Ratio).toBeGreaterThan(3);
    expect(evidence.pValue).toBeLessThan(0.01);
    expect(evidence.u).toBeGreaterThan(0);
    expect(alerts[0]?.message).toMatch(/^read p50 .* against .* over its last 10 sessions \(\d\.\d+×, Mann–Whitney p = /);

    await session(reports, 'ses_like_before', 11, 10, 40, 1234);
    expect((await reports.listAlerts()).map((a) => a.sessionId)).toEqual(['ses_slow']);
  });

  it('fires as the session runs, at its writes, before it ends', async () => {
    const reports = open();
    for (let s = 0; s < 10; s++) await session(reports, `ses_base${s}`, s, 10, 30, s + 1);
    const random = prng(5);
    for (let i = 0; i < 30; i++) {
      reports.record({
        sessionId: 'ses_live', operationType: 'tool-execution', toolName: 'read', callId: undefined,
        startTimeMs: T0 + 10 * HOUR + i * 100, durationMs: 40 * (0.75 + 0.5 * random()), errorType: undefined, traceId: undefined, spanId: undefined,
      });
    }
    await reports.flush();
    expect(await reports.listAlerts()).toMatchObject([{ sessionId: 'ses_live', kind: 'regression', state: 'firing' }]);
    expect((await reports.listSessions()).find((s) => s.sessionId === 'ses_live')).toMatchObject({ status: expect.any(String), firingAlerts: 1 });
    expect((await reports.getReport({ sessionId: 'ses_live' }))?.endedAt).toBeUndefined();
  });

  it('needs no session to end: ten written at ~10 ms, then one written first with 15 calls, then 30, at ~40 ms', async () => {
    const reports = open();
    const random = prng(11);
    const calls = (id: string, hour: number, aroundMs: number, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        reports.record({
          sessionId: id, operationType: 'tool-execution', toolName: 'read', callId: undefined,
          startTimeMs: T0 + hour * HOUR + i * 100, durationMs: aroundMs * (0.75 + 0.5 * random()), errorType: undefined, traceId: undefined, spanId: undefined,
        });
      }
    };
    for (let s = 0; s < 10; s++) {
      calls(`ses_open${s}`, s, 10, 0, 30);
      await reports.flush();
    }
    calls('ses_open_slow', 10, 40, 0, 15);
    await reports.flush();
    expect(await reports.listAlerts()).toEqual([]); // 15 calls: no test yet, and no throttle started either
    calls('ses_open_slow', 10, 40, 15, 30);
    await reports.flush();
    expect((await reports.listAlerts()).map((a) => `${a.sessionId} ${a.kind} ${a.evidence.baselineSessions}`)).toEqual(['ses_open_slow regression 10']);
  });

  it('never fires below the minimum of calls, however slow', async () => {
    const reports = open();
    for (let s = 0; s < 10; s++) await session(reports, `ses_base${s}`, s, 10, 30, s + 1);
    await session(reports, 'ses_few', 10, 80, 29, 7);
    expect(await reports.listAlerts()).toEqual([]);
  });

  it('never fires on noise: sessions drawn from one distribution, many of them', async () => {
    const reports = open();
    for (let s = 0; s < 30; s++) await session(reports, `ses_${s}`, s, 10, 30 + (s % 7) * 10, 1000 + s);
    expect(await reports.listAlerts()).toEqual([]);
  });

  it('a tool of microseconds, 4× slower, is no regression under the default 5 ms floor; with minDeltaMs 0 it is', async () => {
    const quiet = open();
    for (let s = 0; s < 10; s++) await session(quiet, `ses_base${s}`, s, 0.004, 30, s + 1);
    await session(quiet, 'ses_slow', 10, 0.016, 30, 99);
    expect(await quiet.listAlerts()).toEqual([]);

    const strict = open(new InMemoryReportStore(), { defaultRules: false, rules: [{ kind: 'regression', minDeltaMs: 0 }] });
    for (let s = 0; s < 10; s++) await session(strict, `ses_base${s}`, s, 0.004, 30, s + 1);
    await session(strict, 'ses_slow', 10, 0.016, 30, 99);
    expect((await strict.listAlerts()).map((a) => `${a.sessionId} ${a.kind} ${a.evidence.minDeltaMs}`)).toEqual(['ses_slow regression 0']);
  });

  it('uses the store\'s own sessionsWithTool for the baseline where it has one', async () => {
    const memory = new InMemoryReportStore();
    const asked: unknown[][] = [];
    const store: ReportStore = Object.assign(Object.create(memory) as InMemoryReportStore, {
      async sessionsWithTool(operationType: string, toolName: string, limit: number, exclude?: string): Promise<string[]> {
        asked.push([operationType, toolName, limit, exclude]);
        return (await memory.listDigests()).map((d) => d.summary.sessionId).filter((id) => id !== exclude).slice(0, limit);
      },
    });
    const reports = open(store);
    for (let s = 0; s < 4; s++) await session(reports, `ses_base${s}`, s, 10, 30, s + 1);
    await session(reports, 'ses_slow', 4, 40, 30, 99);
    expect(asked).toContainEqual(['tool-execution', 'read', 11, undefined]);
    expect((await reports.listAlerts()).map((a) => a.sessionId)).toEqual(['ses_slow']);
  });
});
