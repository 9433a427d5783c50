import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RECOMMENDATIONS, type StoredSessionReport } from '../../../../src/document/report.js';
import { createReports } from '../../../../src/reports/reports.js';
import { InMemoryReportStore } from '../../../../src/storage/memory-store.js';
import { FileReportStore } from '../../../../src/storage/file-store.js';
import { ATTR_TOOLPERF_ARGUMENTS_FINGERPRINT } from '../../../../src/telemetry/semconv.js';
import { recommend } from '../../../../src/reports/recommendations/recommend.js';
import { SESSION, SessionCalls } from '../../../helpers/session-calls.js';
import { tracked } from '../../../helpers/tracking.js';

/** Arguments no report or span may hold while only fingerprinting is on. */
const SECRET_PATH = '/home/me/.ssh/id_ed25519-7f3a';

describe('recommendations of a tracked session', () => {
  it('with fingerprintArguments, 20 calls of one tool with the same arguments give redundant-calls for that tool', async () => {
    const { perf } = tracked({ fingerprintArguments: true });
    const read = perf.wrapTool(async (args: { path: string }) => args.path.length, { name: 'read', sessionId: 'ses_same' });
    const grep = perf.wrapTool(async (args: { pattern: string }) => args.pattern.length, { name: 'grep', sessionId: 'ses_same' });
    for (let i = 0; i < 20; i++) await read({ path: SECRET_PATH });
    for (let i = 0; i < 3; i++) await grep({ pattern: `p${i}` });
    await perf.flush();
    const report = await perf.reports.getReport({ sessionId: 'ses_same' });
    const redundant = report?.recommendations?.filter((r) => r.kind === 'redundant-calls');
    expect(redundant?.map((r) => r.tool)).toEqual(['read']);
    expect(redundant?.[0]?.evidence).toMatchObject({ repeatedCalls: 19, fingerprintedCalls: 20, distinctArguments: 1 });
    await perf.shutdown();
  });

  it('without fingerprintArguments, calls carry no fingerprint and no redundant-calls is given', async () => {
    const { perf, spans } = tracked();
    const read = perf.wrapTool(async (args: { path: string }) => args.path.length, { name: 'read', sessionId: 'ses_off' });
    for (let i = 0; i < 20; i++) await read({ path: 'a.ts' });
    await perf.flush();
    const report = await perf.reports.getReport({ sessionId: 'ses_off' });
    expect(report?.recent.every((call) => call.argumentsFingerprint === undefined)).toBe(true);
    expect(report?.recommendations?.some((r) => r.kind === 'redundant-calls') ?? false).toBe(false);
    expect(spans.getFinishedSpans().every((span) => span.attributes[ATTR_TOOLPERF_ARGUMENTS_FINGERPRINT] === undefined)).toBe(true);
    await perf.shutdown();
  });

  it('a session of distinct calls spread over its tools gets neither redundant-calls nor dominant-tool', async () => {
    const { perf } = tracked({ fingerprintArguments: true });
    const tools = perf.wrapTools(
      { read: async (args: { path: string }) => args.path, grep: async (args: { path: string }) => args.path, glob: async (args: { path: string }) => args.path },
      { sessionId: 'ses_plain' },
    );
    for (let i = 0; i < 10; i++) for (const tool of Object.values(tools)) await tool({ path: `src/file-${i}.ts` });
    await perf.flush();
    const report = await perf.reports.getReport({ sessionId: 'ses_plain' });
    expect(report?.recent.filter((call) => call.argumentsFingerprint !== undefined)).toHaveLength(30);
    expect((report?.recommendations ?? []).map((r) => r.kind)).not.toContain('redundant-calls');
    await perf.shutdown();
    // The time split evenly too (set here: the tracked calls' own sub-millisecond times are at the machine's mercy).
    const even = new SessionCalls();
    for (let i = 0; i < 10; i++) for (const tool of ['read', 'grep', 'glob']) even.add(tool, 20, { fingerprint: `${tool}-${i}` });
    const kinds = ((await even.report()).recommendations ?? []).map((r) => r.kind);
    expect(kinds).not.toContain('redundant-calls');
    expect(kinds).not.toContain('dominant-tool');
  });

  it('with only fingerprinting on, the arguments are in no span and no stored report, their fingerprint is', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'toolperf-fp-'));
    try {
      const store = new FileReportStore(dataDir);
      const { perf, spans } = tracked({ fingerprintArguments: true, store });
      const read = perf.wrapTool(async (args: { path: string }) => `contents of ${args.path}`, { name: 'read', sessionId: 'ses_private' });
      await read({ path: SECRET_PATH });
      await perf.endSession('ses_private');
      const [span] = spans.getFinishedSpans();
      const fingerprint = span?.attributes[ATTR_TOOLPERF_ARGUMENTS_FINGERPRINT];
      expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(JSON.stringify(span?.attributes)).not.toContain('id_ed25519');
      const text = await readFile(store.pathOf('ses_private'), 'utf8');
      expect(text).toContain(`"argumentsFingerprint":"${String(fingerprint)}"`);
      expect(text).not.toContain('id_ed25519');
      await perf.shutdown();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('recommend', () => {
  it('puts the largest estimated saving first and keeps at most MAX_RECOMMENDATIONS', async () => {
    const session = new SessionCalls();
    // Many tools each with a retry loop of its own: more findings than a report keeps.
    for (let t = 0; t < MAX_RECOMMENDATIONS + 5; t++) session.repeat(5, `edit_${t}`, 10 + t, () => ({ fingerprint: 'same', errorType: 'invalid_arguments' }));
    const all = recommend(await session.report());
    expect(all).toHaveLength(MAX_RECOMMENDATIONS);
    const savings = all.map((r) => r.estimatedSavingMs);
    expect(savings).toEqual([...savings].sort((a, b) => b - a));
    expect(all[0]?.tool).toBe(`edit_${MAX_RECOMMENDATIONS + 4}`);
  });

  it('gives a report stored without recommendations (an earlier version wrote it) its recommendations when read', async () => {
    const session = new SessionCalls().repeat(9, 'bash', 1000).repeat(2, 'read', 100);
    const first = new InMemoryReportStore();
    const writer = createReports({ store: first });
    for (const call of session.calls) writer.record(call);
    await writer.shutdown();
    const stored = first.getSync(SESSION);
    expect(stored?.recommendations?.map((r) => r.kind)).toEqual(['dominant-tool']);
    const { recommendations: _dropped, ...old } = stored as StoredSessionReport;
    const store = new InMemoryReportStore();
    store.putSync(old);
    const reader = createReports({ store });
    expect((await reader.getReport({ sessionId: SESSION }))?.recommendations?.map((r) => r.kind)).toEqual(['dominant-tool']);
    await reader.shutdown();
  });
});
