import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REPORT_BYTES, readReportFile, readReportFileSync, type ReportFileRead } from '../../../src/storage/report-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolperf-report-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Both readers, which must agree. */
async function readBoth(path: string): Promise<ReportFileRead> {
  const async = await readReportFile(path);
  expect(readReportFileSync(path)).toEqual(async);
  return async;
}

describe('readReportFile / readReportFileSync', () => {
  it('read a regular file whole, whatever its size below the limit', async () => {
    const text = `{"x": "${'é'.repeat(100_000)}"}`;
    await writeFile(join(dir, 'a.json'), text);
    expect(await readBoth(join(dir, 'a.json'))).toEqual({ kind: 'text', text });
    await writeFile(join(dir, 'empty.json'), '');
    expect(await readBoth(join(dir, 'empty.json'))).toEqual({ kind: 'text', text: '' });
  });

  it('say missing for no file, and for a path whose directory is gone', async () => {
    expect(await readBoth(join(dir, 'none.json'))).toEqual({ kind: 'missing' });
    expect(await readBoth(join(dir, 'gone', 'none.json'))).toEqual({ kind: 'missing' });
  });

  it('never follow a link, to a file or to nothing', async () => {
    await writeFile(join(dir, 'target'), '{}');
    await symlink(join(dir, 'target'), join(dir, 'link.json'));
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling.json'));
    for (const name of ['link.json', 'dangling.json']) {
      expect(await readBoth(join(dir, name))).toEqual({ kind: 'unusable', reason: 'a symbolic link, not a regular file' });
    }
  });

  it('never open a FIFO (which would wait for a writer), nor read a directory', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    await mkdir(join(dir, 'dir.json'));
    expect(await readBoth(join(dir, 'fifo.json'))).toEqual({ kind: 'unusable', reason: 'a FIFO, not a regular file' });
    expect(await readBoth(join(dir, 'dir.json'))).toEqual({ kind: 'unusable', reason: 'a directory, not a regular file' });
  });

  it(`refuse a file over ${MAX_REPORT_BYTES} bytes without reading it`, async () => {
    const big = await open(join(dir, 'big.json'), 'w');
    await big.truncate(MAX_REPORT_BYTES + 1);
    await big.close();
    expect(await readBoth(join(dir, 'big.json'))).toEqual({
      kind: 'unusable',
      reason: `${MAX_REPORT_BYTES + 1} bytes, more than a report can be (${MAX_REPORT_BYTES})`,
    });
  });
});
