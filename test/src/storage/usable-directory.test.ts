import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unusableDataDir } from '../../../src/storage/usable-directory.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'toolperf-usable-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('unusableDataDir', () => {
  it('is undefined for a directory it can write in, made if missing, and leaves only the reports directory behind', async () => {
    const dataDir = join(root, 'fresh');
    expect(await unusableDataDir(dataDir)).toBeUndefined();
    expect(await readdir(dataDir, { recursive: true })).toEqual(['session', join('session', 'performance')]);
  });

  it('says why for a file, and for a path beneath one', async () => {
    const file = join(root, 'file');
    await writeFile(file, '');
    expect(await unusableDataDir(file)).toBe('it is a file, not a directory');
    expect(await unusableDataDir(join(file, 'data'))).toBe('a part of its path is a file, not a directory');
  });

  it('says why when the reports directory itself is a file', async () => {
    await writeFile(join(root, 'session'), '');
    expect(await unusableDataDir(root)).toBe('a part of its path is a file, not a directory');
  });
});
