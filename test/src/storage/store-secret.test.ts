import { lstat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore, REPORTS_SUBDIRECTORY } from '../../../src/storage/file-store.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import { STORE_SECRET_BYTES, STORE_SECRET_FILE } from '../../../src/storage/store-secret.js';
import { startFixture } from '../../helpers/child.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-secret-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const secretPath = (dir: string): string => join(dir, REPORTS_SUBDIRECTORY, STORE_SECRET_FILE);

/** Runs the fingerprint writer on `dir`: one call of `read` with `args`; its fingerprint. */
async function fingerprintInChild(dir: string, sessionId: string, args: unknown): Promise<string> {
  const { code, stdout, stderr } = await startFixture('fingerprint-writer.ts', [dir, sessionId, JSON.stringify(args)]).done;
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout.trim();
}

describe('FileReportStore.secret', () => {
  it('makes 32 random bytes in a 0600 file once, and reads the same ones after', async () => {
    const store = new FileReportStore(dataDir);
    const secret = await store.secret();
    expect(secret).toHaveLength(STORE_SECRET_BYTES);
    const stat = await lstat(secretPath(dataDir));
    expect(stat.isFile()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(new Uint8Array(await readFile(secretPath(dataDir)))).toEqual(secret);
    // Another store over the same directory: the same secret, the file untouched.
    expect(await new FileReportStore(dataDir).secret()).toEqual(secret);
    expect((await lstat(secretPath(dataDir))).mtimeMs).toBe(stat.mtimeMs);
    // Another directory: another secret.
    const other = await mkdtemp(join(tmpdir(), 'toolperf-secret-'));
    try {
      expect(await new FileReportStore(other).secret()).not.toEqual(secret);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('is made by one of several processes starting at once, and read by all of them', async () => {
    const args = { path: 'README.md', limit: 50 };
    const fingerprints = await Promise.all([0, 1, 2, 3].map((i) => fingerprintInChild(dataDir, `ses_${i}`, args)));
    expect(fingerprints[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(fingerprints).size).toBe(1);
    // A later process reuses it: the same arguments, the same fingerprint.
    expect(await fingerprintInChild(dataDir, 'ses_later', { limit: 50, path: 'README.md' })).toBe(fingerprints[0]);
    expect(await fingerprintInChild(dataDir, 'ses_other_args', { path: 'README.md', limit: 51 })).not.toBe(fingerprints[0]);
    // No temp file of the losers is left behind.
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(join(dataDir, REPORTS_SUBDIRECTORY))).filter((name) => name.includes(STORE_SECRET_FILE))).toEqual([STORE_SECRET_FILE]);
  }, 60_000);

  it('gives the same arguments another fingerprint on another store', async () => {
    const other = await mkdtemp(join(tmpdir(), 'toolperf-secret-'));
    try {
      const args = { cmd: 'cat notes.txt' };
      const [here, there] = await Promise.all([fingerprintInChild(dataDir, 'ses_a', args), fingerprintInChild(other, 'ses_a', args)]);
      expect(here).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(there).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(here).not.toBe(there);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a secret file of the wrong size, naming it, and a read-only store makes none', async () => {
    await expect(new FileReportStore(dataDir, undefined, { readOnly: true }).secret()).rejects.toThrow(/does not exist, and the store was opened read-only/);
    await new FileReportStore(dataDir).secret();
    await writeFile(secretPath(dataDir), 'short');
    await expect(new FileReportStore(dataDir).secret()).rejects.toThrow(`${secretPath(dataDir)} holds 5 bytes, not 32`);
  });
});

describe('InMemoryReportStore.secret', () => {
  it('is random per store, and the same for one store', async () => {
    const store = new InMemoryReportStore();
    expect(await store.secret()).toEqual(store.secretSync());
    expect(store.secretSync()).toHaveLength(32);
    expect(store.secretSync()).not.toEqual(new InMemoryReportStore().secretSync());
  });
});
