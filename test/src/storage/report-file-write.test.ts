import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileLock } from '../../../src/storage/file-lock.js';
import { removeUnfinishedTempFilesSync, writeReportFile } from '../../../src/storage/report-file-write.js';
import { storedReport, T0 } from '../server/fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolperf-report-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the temp files of writes that will never finish', () => {
  it('are removed at exit: a write waiting to commit leaves no temp file, and commits nothing after', async () => {
    let commit: () => void = () => {};
    const lock = { assertHeld: () => new Promise<void>((resolve) => (commit = resolve)) } as unknown as FileLock;
    const path = join(dir, 'ses_w.json');
    const temp = join(dir, '.ses_w.json.0123456789abcdef.tmp');
    const writing = writeReportFile(path, temp, storedReport('ses_w', T0, [{ tool: 'read', ms: 2 }]), lock);
    while (!existsSync(temp)) await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setTimeout(resolve, 20)); // the write reaches its lock check

    removeUnfinishedTempFilesSync();
    expect(await readdir(dir)).toEqual([]);

    commit();
    await expect(writing).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a finished write is no longer one of them', async () => {
    const lock = { assertHeld: async () => {} } as unknown as FileLock;
    const path = join(dir, 'ses_w.json');
    await writeReportFile(path, join(dir, '.ses_w.json.fedcba9876543210.tmp'), storedReport('ses_w', T0, [{ tool: 'read', ms: 2 }]), lock);
    removeUnfinishedTempFilesSync();
    expect(await readdir(dir)).toEqual(['ses_w.json']);
  });
});
