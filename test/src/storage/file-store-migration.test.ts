import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore } from '../../../src/storage/file-store.js';
import { reportText } from '../../../src/storage/report-text.js';
import { DIGEST_FORMAT } from '../../../src/storage/session-digest.js';
import { storedReport, T0, type CallSpec } from '../server/fixtures.js';
import { legacyReport } from '../../helpers/legacy-report.js';
import { recordingLogger } from '../../helpers/tracking.js';

/**
 * Reports written by an earlier version (schemaVersion 1, or with a digest of other fields) are
 * listed by reading them whole; a store that writes rewrites them once, so the next listing reads
 * their first line only. A read-only store never does; a report written by hand is left as it is.
 */
const CALLS: CallSpec[] = [{ tool: 'read', ms: 4 }, { tool: 'grep', ms: 9, error: 'ENOENT' }];

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-migration-'));
  await mkdir(join(dataDir, 'session', 'performance'), { recursive: true });
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const IDS = ['ses_v1', 'ses_fields', 'ses_hand'];

async function writeOld(store: FileReportStore): Promise<void> {
  // As an earlier version wrote them: version 1, pretty-printed; version 2 with a digest of other
  // fields (before one was added); and one written by hand, on one line, without a digest.
  await writeFile(store.pathOf('ses_v1'), JSON.stringify(legacyReport(storedReport('ses_v1', T0, CALLS)), null, 2));
  await writeFile(store.pathOf('ses_fields'), reportText(storedReport('ses_fields', T0 + 1000, CALLS)).replace(DIGEST_FORMAT, '0badf00d'));
  await writeFile(store.pathOf('ses_hand'), JSON.stringify(storedReport('ses_hand', T0 + 2000, CALLS)));
}

async function settle(store: FileReportStore, path: string, before: number): Promise<void> {
  for (let i = 0; i < 200 && (await stat(path)).mtimeMs === before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  await store.list();
}

describe('FileReportStore: reports without a digest', () => {
  it("an earlier version's are listed, then rewritten once by a writing store, with the same content and a digest", async () => {
    const store = new FileReportStore(dataDir, recordingLogger());
    await writeOld(store);
    const before = await Promise.all(IDS.map(async (id) => JSON.parse(JSON.stringify(await store.get(id))) as unknown));
    const hand = await readFile(store.pathOf('ses_hand'), 'utf8');
    const mtimes = await Promise.all(['ses_v1', 'ses_fields'].map(async (id) => (await stat(store.pathOf(id))).mtimeMs));
    expect((await store.list()).map((s) => [s.sessionId, s.calls, s.errors]).sort()).toEqual(IDS.map((id) => [id, 2, 1]).sort());
    await settle(store, store.pathOf('ses_v1'), mtimes[0]!);
    await settle(store, store.pathOf('ses_fields'), mtimes[1]!);
    for (const id of ['ses_v1', 'ses_fields']) {
      expect((await readFile(store.pathOf(id), 'utf8')).startsWith(`{"schemaVersion":2,"digest":{"format":${JSON.stringify(DIGEST_FORMAT)}`)).toBe(true);
      expect(store.readFirstLine(id)).toMatchObject({ digest: { summary: { sessionId: id, calls: 2, errors: 1 } } });
    }
    expect(await readFile(store.pathOf('ses_hand'), 'utf8')).toBe(hand);
    expect(await Promise.all(IDS.map((id) => store.get(id)))).toEqual(before);
  });

  it('a read-only store that read many of them whole says so once, and what rewrites them', async () => {
    const writer = new FileReportStore(dataDir, recordingLogger());
    for (let i = 0; i < 50; i++) await writeFile(writer.pathOf(`ses_${i}`), JSON.stringify(legacyReport(storedReport(`ses_${i}`, T0 + i, CALLS)), null, 2));
    const logger = recordingLogger();
    const reader = new FileReportStore(dataDir, logger, { readOnly: true });
    expect(await reader.list()).toHaveLength(50);
    expect(await reader.list()).toHaveLength(50);
    expect(logger.lines).toEqual([
      `50 reports in ${reader.directory} were written by an earlier version of toolperf, so listing read them whole; toolperf serve (or any process writing there) rewrites them once`,
    ]);
  });

  it('a read-only store lists them and leaves the files as they were', async () => {
    const writer = new FileReportStore(dataDir, recordingLogger());
    await writeOld(writer);
    const texts = await Promise.all(IDS.map((id) => readFile(writer.pathOf(id), 'utf8')));
    const reader = new FileReportStore(dataDir, recordingLogger(), { readOnly: true });
    expect(await reader.list()).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await Promise.all(IDS.map((id) => readFile(writer.pathOf(id), 'utf8')))).toEqual(texts);
  });
});
