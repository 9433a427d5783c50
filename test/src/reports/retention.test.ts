import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReports, type Reports } from '../../../src/reports/reports.js';
import { FileReportStore } from '../../../src/storage/file-store.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import type { ReportStore } from '../../../src/storage/report-store.js';
import { storedReport, type CallSpec } from '../server/fixtures.js';
import { recordingLogger } from '../../helpers/tracking.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const CALLS: CallSpec[] = [{ tool: 'read', ms: 3 }];

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-retention-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const stores: [string, () => ReportStore][] = [
  ['memory', () => new InMemoryReportStore()],
  ['files', () => new FileReportStore(dataDir, recordingLogger())],
];

function open(store: ReportStore): Reports {
  return createReports({ store, logger: recordingLogger(), writeIntervalMs: 60_000, now: () => NOW });
}

describe.each(stores)('Reports.prune over the %s store', (_label, makeStore) => {
  it('removes the sessions last updated before the cutoff, and only those; says which, newest first', async () => {
    const store = makeStore();
    for (const [id, daysAgo] of [['ses_old', 40], ['ses_older', 90], ['ses_new', 2], ['ses_edge', 29]] as const) await store.put(storedReport(id, NOW - daysAgo * DAY, CALLS));
    const reports = open(store);
    const { before, removed } = await reports.prune({ olderThanMs: 30 * DAY });
    expect(before).toBe(new Date(NOW - 30 * DAY).toISOString());
    expect(removed.map((s) => s.sessionId)).toEqual(['ses_old', 'ses_older']);
    expect((await reports.listSessions()).map((s) => s.sessionId).sort()).toEqual(['ses_edge', 'ses_new']);
    await reports.shutdown();
  });

  it('a dry run lists the same sessions and removes nothing', async () => {
    const store = makeStore();
    await store.put(storedReport('ses_old', NOW - 40 * DAY, CALLS));
    await store.put(storedReport('ses_new', NOW - DAY, CALLS));
    const reports = open(store);
    expect((await reports.prune({ olderThanMs: 30 * DAY, dryRun: true })).removed.map((s) => s.sessionId)).toEqual(['ses_old']);
    expect(await reports.listSessions()).toHaveLength(2);
    await reports.shutdown();
  });

  it('keeps a session written again between the listing and its removal (tested again under the lock)', async () => {
    const store = makeStore();
    await store.put(storedReport('ses_1', NOW - 40 * DAY, CALLS));
    const reports = open(store);
    const listed = await reports.listSessions();
    // Another process writes the session now: by the time prune reaches it, it is fresh.
    const list = store.list.bind(store);
    store.list = async () => {
      const summaries = await list();
      await store.put(storedReport('ses_1', NOW - DAY, CALLS));
      return summaries;
    };
    if (store.listDigests) {
      const listDigests = store.listDigests.bind(store);
      store.listDigests = async () => {
        const digests = await listDigests();
        await store.put(storedReport('ses_1', NOW - DAY, CALLS));
        return digests;
      };
    }
    expect(listed.map((s) => s.sessionId)).toEqual(['ses_1']);
    expect((await reports.prune({ olderThanMs: 30 * DAY })).removed).toEqual([]);
    expect(await store.get('ses_1')).toBeDefined();
    await reports.shutdown();
  });

  it('keeps a live session with calls still to write; removes an idle one from memory too', async () => {
    const store = makeStore();
    const reports = open(store);
    // Both live in memory (calls 40 days old, from an ingest say); ses_idle's are written.
    reports.record({ sessionId: 'ses_idle', operationType: 'tool-execution', toolName: 'read', startTimeMs: NOW - 40 * DAY, durationMs: 3, callId: undefined, errorType: undefined, traceId: undefined, spanId: undefined });
    await reports.flush();
    reports.record({ sessionId: 'ses_busy', operationType: 'tool-execution', toolName: 'read', startTimeMs: NOW - 40 * DAY, durationMs: 3, callId: undefined, errorType: undefined, traceId: undefined, spanId: undefined });
    expect((await reports.prune({ olderThanMs: 30 * DAY })).removed.map((s) => s.sessionId)).toEqual(['ses_idle']);
    expect(await reports.getReport({ sessionId: 'ses_idle' })).toBeUndefined();
    expect(await reports.getReport({ sessionId: 'ses_busy' })).toBeDefined();
    await reports.shutdown();
  });

  it('refuses an age that is not a number of milliseconds', async () => {
    const reports = open(makeStore());
    expect(() => reports.prune({ olderThanMs: Number.NaN })).toThrow(TypeError);
    expect(() => reports.prune({ olderThanMs: -1 })).toThrow(TypeError);
    await reports.shutdown();
  });
});
