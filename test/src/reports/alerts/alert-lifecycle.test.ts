import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReports, type CreateReportsOptions, type Reports } from '../../../../src/reports/reports.js';
import type { CallRecord } from '../../../../src/reports/call-record.js';
import type { ListedAlert } from '../../../../src/reports/alerts/alert-text.js';
import { InMemoryReportStore } from '../../../../src/storage/memory-store.js';
import { FileReportStore } from '../../../../src/storage/file-store.js';
import { recordingLogger } from '../../../helpers/tracking.js';

const T0 = Date.UTC(2026, 0, 1);
const SLOW_READ = { kind: 'slow-call', tools: 'read', thresholdMs: 100 } as const;

const call = (overrides: Partial<CallRecord> = {}): CallRecord => ({
  sessionId: 'ses_1', operationType: 'tool-execution', toolName: 'read', callId: undefined,
  startTimeMs: T0, durationMs: 5, errorType: undefined, traceId: undefined, spanId: undefined, ...overrides,
});

const opened: Reports[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((r) => r.shutdown()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function open(options: CreateReportsOptions = {}) {
  const logger = recordingLogger();
  const transitions: ListedAlert[] = [];
  const reports = createReports({ store: new InMemoryReportStore(), logger, writeIntervalMs: 60_000, onAlert: (a) => void transitions.push(a), ...options });
  opened.push(reports);
  return { reports, logger, transitions };
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'toolperf-alerts-'));
  dirs.push(dir);
  return dir;
}

describe('slow-call alerts', () => {
  it('fire once for a call over the threshold, naming rule, session, tool and duration; a fast call resolves them', async () => {
    let now = T0 + 10_000;
    const { reports, logger, transitions } = open({ alerts: { defaultRules: false, rules: [SLOW_READ] }, now: () => now });
    reports.record(call({ durationMs: 50 }));
    expect(await reports.listAlerts()).toEqual([]);
    reports.record(call({ durationMs: 250, callId: 'c1' }));
    reports.record(call({ durationMs: 400, startTimeMs: T0 + 1 })); // firing already: no second alert
    reports.record(call({ toolName: 'grep', durationMs: 5000 })); // no rule for grep
    const [alert, ...others] = await reports.listAlerts({ state: 'firing' });
    expect(others).toEqual([]);
    expect(alert).toMatchObject({
      rule: 'slow-call:read', kind: 'slow-call', sessionId: 'ses_1', toolName: 'read', state: 'firing', fired: 1,
      evidence: { durationMs: 250, thresholdMs: 100, callId: 'c1' },
    });
    expect(alert?.message).toBe('read took 250 ms (slow-call threshold 100 ms)');
    expect(transitions.map((t) => t.state)).toEqual(['firing']);
    expect(logger.lines.filter((l) => l.startsWith('alert fired: read took 250 ms'))).toHaveLength(1);
    expect((await reports.listSessions())[0]).toMatchObject({ alerts: 1, firingAlerts: 1 });

    reports.record(call({ durationMs: 20, startTimeMs: T0 + 2000 }));
    expect(await reports.listAlerts({ state: 'firing' })).toEqual([]);
    expect(await reports.listAlerts({ state: 'resolved', toolName: 'read', sessionId: 'ses_1' })).toMatchObject([{ state: 'resolved', resolvedAt: new Date(T0 + 2020).toISOString() }]);
    expect(logger.lines.filter((l) => l.startsWith('alert resolved:'))).toHaveLength(1);

    // Within the cooldown (10 min by default) of its firing: suppressed and counted, not fired.
    now = T0 + 60_000;
    reports.record(call({ durationMs: 300, startTimeMs: T0 + 3000 }));
    expect(await reports.listAlerts()).toMatchObject([{ state: 'resolved', fired: 1, suppressed: 1 }]);
    expect(transitions).toHaveLength(2);
    // Past it: fires again.
    reports.record(call({ durationMs: 300, startTimeMs: T0 + 700_000 }));
    expect(await reports.listAlerts()).toMatchObject([{ state: 'firing', fired: 2, suppressed: 1 }]);
    expect(transitions.map((t) => t.state)).toEqual(['firing', 'resolved', 'firing']);
  });

  it('are kept per session and tool, match globs case-insensitively, and can be turned off per rule or all at once', async () => {
    const { reports } = open({ alerts: { defaultRules: false, rules: [{ kind: 'slow-call', tools: ['mcp__*', 'Bash'], thresholdMs: 10 }] } });
    reports.record(call({ toolName: 'mcp__github__search', durationMs: 20 }));
    reports.record(call({ toolName: 'bash', durationMs: 20, sessionId: 'ses_2' }));
    reports.record(call({ toolName: 'read', durationMs: 20 }));
    expect((await reports.listAlerts()).map((a) => `${a.sessionId}/${a.toolName}`).sort()).toEqual(['ses_1/mcp__github__search', 'ses_2/bash']);
    expect((await reports.listAlerts({ sessionId: 'ses_2' })).map((a) => a.toolName)).toEqual(['bash']);

    const off = open({ alerts: { defaultRules: false, rules: [{ ...SLOW_READ, enabled: false }] } }).reports;
    const none = open({ alerts: false }).reports;
    const disabled = open({ alerts: { enabled: false, rules: [SLOW_READ] } }).reports;
    for (const r of [off, none, disabled]) {
      r.record(call({ durationMs: 5000 }));
      expect(await r.listAlerts()).toEqual([]);
    }
  });
});

describe('error-rate alerts', () => {
  it('fire over the threshold once the tool has its minimum calls, at the session\'s write, and resolve when the rate falls', async () => {
    const { reports } = open({ alerts: { defaultRules: false, rules: [{ kind: 'error-rate', tools: 'bash', threshold: 0.3, minCalls: 10 }] } });
    for (let i = 0; i < 5; i++) reports.record(call({ toolName: 'bash', errorType: 'ExitCode', startTimeMs: T0 + i }));
    await reports.flush();
    expect(await reports.listAlerts()).toEqual([]); // 5 calls: below the minimum
    for (let i = 0; i < 5; i++) reports.record(call({ toolName: 'bash', startTimeMs: T0 + 10 + i }));
    await reports.flush();
    expect(await reports.listAlerts()).toMatchObject([{ kind: 'error-rate', state: 'firing', evidence: { errors: 5, calls: 10, errorRate: 0.5, threshold: 0.3 } }]);
    for (let i = 0; i < 10; i++) reports.record(call({ toolName: 'bash', startTimeMs: T0 + 20 + i }));
    await reports.flush();
    expect(await reports.listAlerts()).toMatchObject([{ state: 'resolved', evidence: { resolvedErrorRate: 0.25 } }]);
  });

  it('read a window of the last calls when told', async () => {
    const { reports } = open({ alerts: { defaultRules: false, rules: [{ kind: 'error-rate', threshold: 0.5, minCalls: 4, windowCalls: 4 }] } });
    for (let i = 0; i < 20; i++) reports.record(call({ startTimeMs: T0 + i }));
    for (let i = 0; i < 4; i++) reports.record(call({ startTimeMs: T0 + 100 + i, errorType: 'ENOENT' }));
    await reports.flush();
    expect(await reports.listAlerts()).toMatchObject([{ evidence: { errors: 4, calls: 4, scope: 'last 4 calls' } }]);
  });
});

describe('alerts in the store', () => {
  it('survive a restart: a new reports object over the same data directory lists them', async () => {
    const dir = await dataDir();
    const first = createReports({ dataDir: dir, logger: recordingLogger(), alerts: { rules: [SLOW_READ] } });
    first.record(call({ durationMs: 500 }));
    await first.shutdown();
    const second = createReports({ store: new FileReportStore(dir, recordingLogger(), { readOnly: true }), logger: recordingLogger() });
    opened.push(second);
    expect(await second.listAlerts({ state: 'firing' })).toMatchObject([{ sessionId: 'ses_1', toolName: 'read', evidence: { durationMs: 500 } }]);
    expect((await second.getReport({ sessionId: 'ses_1' }))?.alerts).toHaveLength(1);
  });

  it('merge per alert when two writers share a session: both alerts kept, the latest transition of one alert wins', async () => {
    const dir = await dataDir();
    const rules = [SLOW_READ, { kind: 'slow-call', tools: 'grep', thresholdMs: 100 }] as const;
    const a = createReports({ dataDir: dir, logger: recordingLogger(), writeIntervalMs: 60_000, alerts: { defaultRules: false, rules } });
    const b = createReports({ dataDir: dir, logger: recordingLogger(), writeIntervalMs: 60_000, alerts: { defaultRules: false, rules } });
    opened.push(a, b);
    a.record(call({ durationMs: 500 }));
    b.record(call({ toolName: 'grep', durationMs: 700, startTimeMs: T0 + 1 }));
    await a.flush();
    await b.flush();
    // b saw read fire (from the store) and resolves it later: its later transition wins over a's firing.
    b.record(call({ durationMs: 200, startTimeMs: T0 + 2 }));
    b.record(call({ durationMs: 10, startTimeMs: T0 + 5000 }));
    await b.flush();
    a.record(call({ toolName: 'ls', startTimeMs: T0 + 6000 }));
    await a.flush();
    const stored = await new FileReportStore(dir, recordingLogger(), { readOnly: true }).get('ses_1');
    expect(stored?.operations['tool-execution']?.count).toBe(5);
    const byTool = Object.fromEntries((stored?.alerts ?? []).map((alert) => [alert.toolName, alert]));
    expect(Object.keys(byTool).sort()).toEqual(['grep', 'read']);
    expect(byTool.grep).toMatchObject({ state: 'firing', evidence: { durationMs: 700 } });
    expect(byTool.read).toMatchObject({ state: 'resolved' });
  });
});

describe('alert options', () => {
  it('are checked, each bad key and value named', () => {
    const bad = () =>
      createReports({
        store: new InMemoryReportStore(),
        alerts: { cooldownMs: -1, rules: [{ kind: 'slow-call', tools: 'read' }, { kind: 'nope' as 'slow-call' }, { kind: 'error-rate', threshold: 2, thresholdMs: 5 }] },
      });
    expect(bad).toThrow(/alerts\.cooldownMs = -1: expected an integer from 0/);
    expect(bad).toThrow(/alerts\.rules\[0\]\.thresholdMs = \(missing\): expected an integer/);
    expect(bad).toThrow(/alerts\.rules\[1\]\.kind = "nope": expected one of "slow-call"/);
    expect(bad).toThrow(/alerts\.rules\[2\]\.threshold = 2: expected a number from 0 to 1/);
    expect(bad).toThrow(/alerts\.rules\[2\]\.thresholdMs = 5: unknown key for a error-rate rule/);
  });
});

describe('alerts across processes', () => {
  it('survive the process that fired them: a new process over the same data directory lists them', async () => {
    const { startFixture } = await import('../../../helpers/child.js');
    const dir = await dataDir();
    const run = await startFixture('alerting-tracker.ts', [dir, 'ses_gone']).done;
    expect(run.stdout).toBe('called\n');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^\[toolperf\] alert fired: read took \d+(\.\d+)? ms \(slow-call threshold 20 ms\) \{"sessionId":"ses_gone","rule":"slow-call:read"/);
    const reports = createReports({ store: new FileReportStore(dir, recordingLogger(), { readOnly: true }), logger: recordingLogger(), alerts: false });
    opened.push(reports);
    expect(await reports.listAlerts()).toMatchObject([{ sessionId: 'ses_gone', rule: 'slow-call:read', state: 'firing', toolName: 'read' }]);
  });
});
