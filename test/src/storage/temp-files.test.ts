import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStaleTempFiles, STALE_TEMP_FILE_MS, tempFileName } from '../../../src/storage/temp-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolperf-temp-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tempFileName', () => {
  it('is hidden, beside its file, and never the same twice (no pid, no counter)', () => {
    const names = new Set(Array.from({ length: 10_000 }, () => tempFileName('ses_1.json')));
    expect(names.size).toBe(10_000);
    for (const name of [...names].slice(0, 5)) expect(name).toMatch(/^\.ses_1\.json\.[0-9a-f]{16}\.tmp$/);
    expect([...names].some((n) => n.includes(`.${process.pid}.`))).toBe(false);
  });
});

describe('removeStaleTempFiles', () => {
  const NOW = Date.now();
  async function file(name: string, ageMs: number): Promise<void> {
    await writeFile(join(dir, name), 'x');
    const at = new Date(NOW - ageMs);
    await utimes(join(dir, name), at, at);
  }

  it(`removes temp files (either naming) older than ${STALE_TEMP_FILE_MS} ms, and nothing else`, async () => {
    await file('.a.json.0123456789abcdef.tmp', STALE_TEMP_FILE_MS + 1000);
    await file('.b.json.4242.3.tmp', STALE_TEMP_FILE_MS * 10);
    await file('.c.json.fedcba9876543210.tmp', STALE_TEMP_FILE_MS - 60_000); // a live writer's
    await file('old.json', STALE_TEMP_FILE_MS * 10);
    await file('old.json.corrupt-2025-01-01T00-00-00-000Z', STALE_TEMP_FILE_MS * 10);
    await file('.notes.tmp', STALE_TEMP_FILE_MS * 10); // not a report's temp file
    expect(await removeStaleTempFiles(dir, '.json', NOW)).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['.c.json.fedcba9876543210.tmp', '.notes.tmp', 'old.json', 'old.json.corrupt-2025-01-01T00-00-00-000Z']);
  });

  it('is quiet about a directory that does not exist', async () => {
    expect(await removeStaleTempFiles(join(dir, 'none'), '.json', NOW)).toBe(0);
  });
});
