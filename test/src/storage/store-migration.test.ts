import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredSessionReport } from '../../../src/document/report.js';
import { FileReportStore } from '../../../src/storage/file-store.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import type { ReportStore } from '../../../src/storage/report-store.js';
import { FAILURES_IN_A_ROW_TO_STOP, migrateReports, type MigrationProgress } from '../../../src/storage/store-migration.js';
import { storedSessionIds } from '../../../src/storage/stored-session-ids.js';
import { tempDir } from '../../helpers/cli.js';
import { seedStore, sessionIdOf, variedReport } from '../../helpers/many-reports.js';
import { reportsDir, writeReportFile } from '../../helpers/report-files.js';
import { recordingLogger } from '../../helpers/tracking.js';

let source: { path: string; remove: () => Promise<void> };
let target: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  source = await tempDir('toolperf-migrate-from-');
  target = await tempDir('toolperf-migrate-to-');
});
afterEach(async () => {
  await source.remove();
  await target.remove();
});

const readOnly = (dir: string) => new FileReportStore(dir, recordingLogger(), { readOnly: true });
const writable = (dir: string) => new FileReportStore(dir, recordingLogger());

async function migrateAll(from: ReportStore, to: ReportStore, progress?: MigrationProgress[]) {
  const { sessionIds } = await storedSessionIds(from);
  return migrateReports(from, to, sessionIds, { concurrency: 4, ...(progress ? { onProgress: (p) => progress.push(p) } : {}) });
}

/** A store whose writes fail `failures` times first, and that counts the writes in flight. */
class FlakyStore extends InMemoryReportStore {
  inFlight = 0;
  maxInFlight = 0;
  puts = 0;
  constructor(private failures: number) {
    super();
  }
  override async put(report: StoredSessionReport): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (this.failures-- > 0) throw new Error('connection terminated unexpectedly');
      this.puts++;
      await super.put(report);
    } finally {
      this.inFlight--;
    }
  }
}

describe('migrateReports', () => {
  it('copies every session into an empty store, field for field, and says so after each', async () => {
    await seedStore(writable(source.path), 40);
    const progress: MigrationProgress[] = [];
    const account = await migrateAll(readOnly(source.path), writable(target.path), progress);
    expect(account).toEqual({ total: 40, moved: 40, replaced: 0, unchanged: 0, keptNewer: [], vanished: 0, setAside: [], failed: [] });
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(progress.every((p) => p.total === 40)).toBe(true);
    for (const i of [0, 17, 39]) {
      // The files as JSON (not as the stores read them: a check that drops a field cannot hide it).
      const name = `${sessionIdOf(i)}.json`;
      const text = (dir: string) => readFile(`${reportsDir(dir)}/${name}`, 'utf8');
      expect(JSON.parse(await text(target.path))).toEqual(JSON.parse(await text(source.path)));
      expect(await readOnly(target.path).get(sessionIdOf(i))).toEqual(variedReport(i));
    }
  });

  it('run again, finds every session the same and writes none of them', async () => {
    await seedStore(writable(source.path), 12);
    await migrateAll(readOnly(source.path), writable(target.path));
    const before = await stat(`${reportsDir(target.path)}/${sessionIdOf(5)}.json`);
    const again = await migrateAll(readOnly(source.path), writable(target.path));
    expect(again).toMatchObject({ total: 12, moved: 0, replaced: 0, unchanged: 12 });
    const after = await stat(`${reportsDir(target.path)}/${sessionIdOf(5)}.json`);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('finishes an interrupted migration: what is there already is left, the rest is copied', async () => {
    await seedStore(writable(source.path), 10);
    const { sessionIds } = await storedSessionIds(readOnly(source.path));
    await migrateReports(readOnly(source.path), writable(target.path), sessionIds.slice(0, 4));
    const rest = await migrateAll(readOnly(source.path), writable(target.path));
    expect(rest).toMatchObject({ total: 10, moved: 6, unchanged: 4 });
    expect((await writable(target.path).list()).length).toBe(10);
  });

  it("replaces a differing report updated no later than the source's, and keeps one the target updated since", async () => {
    const from = writable(source.path);
    await from.put(variedReport(1));
    await from.put(variedReport(2));
    const to = writable(target.path);
    const stale = { ...variedReport(1), updatedAt: new Date(Date.parse(variedReport(1).updatedAt) - 1).toISOString(), recent: [] };
    await to.put(stale);
    const newer = { ...variedReport(2), updatedAt: new Date(Date.parse(variedReport(2).updatedAt) + 60_000).toISOString() };
    await to.put(newer);
    const account = await migrateAll(readOnly(source.path), to);
    expect(account).toMatchObject({ total: 2, moved: 0, replaced: 1, unchanged: 0, keptNewer: [sessionIdOf(2)] });
    expect(await to.get(sessionIdOf(1))).toEqual(variedReport(1));
    expect(await to.get(sessionIdOf(2))).toEqual(newer);
  });

  it('sets aside what the source cannot read, with the reason, leaves it there, and copies the rest', async () => {
    await seedStore(writable(source.path), 3);
    await writeFile(`${reportsDir(source.path)}/ses_broken.json`, '{"schemaVersion": 2, "sess');
    await writeReportFile(source.path, 'ses_future', (r) => ({ ...r, schemaVersion: 99 }));
    await writeReportFile(source.path, 'ses_other', (r) => ({ ...r, sessionId: 'ses_someone_else' }));
    await writeFile(`${reportsDir(source.path)}/not a session.json`, '{}');
    const { sessionIds, misnamed } = await storedSessionIds(readOnly(source.path));
    expect(misnamed).toEqual(['not a session.json']);
    const account = await migrateReports(readOnly(source.path), writable(target.path), sessionIds);
    expect(account.moved).toBe(3);
    expect(account.setAside.map((p) => p.sessionId)).toEqual(['ses_broken', 'ses_future', 'ses_other']);
    const [broken, future, other] = account.setAside.map((p) => p.reason);
    expect(broken).toContain('not valid JSON');
    expect(future).toMatch(/schemaVersion|newer/);
    expect(other).toContain('another session');
    // Read-only: the source is left as it was, nothing renamed aside.
    expect(await readFile(`${reportsDir(source.path)}/ses_broken.json`, 'utf8')).toBe('{"schemaVersion": 2, "sess');
    expect((await writable(target.path).list()).map((s) => s.sessionId).sort()).toEqual([0, 1, 2].map(sessionIdOf));
  });

  it('retries a write that fails, and names the sessions the target keeps refusing', async () => {
    const from = new InMemoryReportStore();
    for (let i = 0; i < 3; i++) await from.put(variedReport(i));
    const flaky = new FlakyStore(2);
    expect(await migrateReports(from, flaky, [0, 1, 2].map(sessionIdOf), { concurrency: 1 })).toMatchObject({ moved: 3, failed: [] });
    const down = new FlakyStore(Number.POSITIVE_INFINITY);
    const account = await migrateReports(from, down, [sessionIdOf(0)]);
    expect(account.failed).toEqual([{ sessionId: sessionIdOf(0), reason: 'connection terminated unexpectedly' }]);
    expect(account.moved).toBe(0);
  });

  it('stops when the target refuses session after session, rather than trying every one', async () => {
    const from = new InMemoryReportStore();
    for (let i = 0; i < 200; i++) await from.put(variedReport(i));
    const account = await migrateReports(from, new FlakyStore(Number.POSITIVE_INFINITY), Array.from({ length: 200 }, (_, i) => sessionIdOf(i)), { concurrency: 4 });
    expect(account.stopped).toBe(`the target refused ${FAILURES_IN_A_ROW_TO_STOP} sessions in a row, the last with: connection terminated unexpectedly`);
    // The sessions in flight when it stopped finish; no new one starts.
    expect(account.failed.length).toBeGreaterThanOrEqual(FAILURES_IN_A_ROW_TO_STOP);
    expect(account.failed.length).toBeLessThan(FAILURES_IN_A_ROW_TO_STOP + 4);
    expect(account.moved).toBe(0);
  });

  it('keeps at most `concurrency` sessions in flight', async () => {
    const from = new InMemoryReportStore();
    for (let i = 0; i < 50; i++) await from.put(variedReport(i));
    const to = new FlakyStore(0);
    await migrateReports(from, to, Array.from({ length: 50 }, (_, i) => sessionIdOf(i)), { concurrency: 5 });
    expect(to.puts).toBe(50);
    expect(to.maxInFlight).toBe(5);
  });

  it('counts a session deleted from the source after the listing as vanished', async () => {
    const from = new InMemoryReportStore();
    await from.put(variedReport(0));
    const account = await migrateReports(from, new InMemoryReportStore(), [sessionIdOf(0), 'ses_gone']);
    expect(account).toMatchObject({ total: 2, moved: 1, vanished: 1, setAside: [] });
  });
});
