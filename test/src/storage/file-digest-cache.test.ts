import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore } from '../../../src/storage/file-store.js';
import { storedReport, T0 } from '../server/fixtures.js';
import { recordingLogger } from '../../helpers/tracking.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolperf-digests-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileReportStore listing cache', () => {
  it("sees another writer's new, replaced and deleted files, and keeps an unchanged file's digest object", async () => {
    const store = new FileReportStore(dir, recordingLogger());
    await store.put(storedReport('ses_a', T0, [{ tool: 'read', ms: 1 }]));
    await store.put(storedReport('ses_b', T0, [{ tool: 'read', ms: 1 }]));
    const first = await store.listDigests();
    expect(first.map((d) => d.summary.sessionId).sort()).toEqual(['ses_a', 'ses_b']);

    // Another process: its own store instance, and a hand-made atomic replace.
    const other = new FileReportStore(dir, recordingLogger());
    await other.put(storedReport('ses_c', T0, [{ tool: 'grep', ms: 2 }]));
    const replaced = storedReport('ses_a', T0, [{ tool: 'read', ms: 1 }, { tool: 'read', ms: 3, error: 'ENOENT' }]);
    await writeFile(join(store.directory, '.tmp'), JSON.stringify(replaced));
    await rename(join(store.directory, '.tmp'), store.pathOf('ses_a'));
    await other.delete('ses_b');

    const second = await store.listDigests();
    const byId = new Map(second.map((d) => [d.summary.sessionId, d]));
    expect([...byId.keys()].sort()).toEqual(['ses_a', 'ses_c']);
    expect(byId.get('ses_a')?.summary).toMatchObject({ calls: 2, errors: 1 });
    expect(byId.get('ses_a')?.tools).toEqual([expect.objectContaining({ toolName: 'read', calls: 2, errors: 1 })]);
    expect(byId.get('ses_c')?.tools).toEqual([expect.objectContaining({ toolName: 'grep', calls: 1 })]);

    const third = await store.listDigests();
    expect(third.find((d) => d.summary.sessionId === 'ses_c')).toBe(byId.get('ses_c'));
  });

  it('says once that a file cannot be read, not at every listing', async () => {
    const logger = recordingLogger();
    const store = new FileReportStore(dir, logger);
    await store.put(storedReport('ses_a', T0, [{ tool: 'read', ms: 1 }]));
    const text = JSON.parse(await readFile(store.pathOf('ses_a'), 'utf8')) as Record<string, unknown>;
    await writeFile(store.pathOf('ses_new'), JSON.stringify({ ...text, sessionId: 'ses_new', schemaVersion: 99 }));
    for (let i = 0; i < 3; i++) expect((await store.list()).map((s) => s.sessionId)).toEqual(['ses_a']);
    expect(logger.lines.filter((l) => l.includes('ses_new'))).toHaveLength(1);
  });

  it('lists nothing for a missing directory, then the reports once it exists', async () => {
    const store = new FileReportStore(join(dir, 'later'), recordingLogger());
    expect(await store.list()).toEqual([]);
    await store.put(storedReport('ses_a', T0, [{ tool: 'read', ms: 1 }]));
    expect((await store.list()).map((s) => s.sessionId)).toEqual(['ses_a']);
  });
});
