import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore } from '../../../../src/storage/file-store.js';
import { expectOneLineError, runToolperf, tempDir } from '../../../helpers/cli.js';
import { seedStore, sessionIdOf, variedReport } from '../../../helpers/many-reports.js';
import { reportsDir } from '../../../helpers/report-files.js';
import { recordingLogger } from '../../../helpers/tracking.js';

let source: { path: string; remove: () => Promise<void> };
let target: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  source = await tempDir('toolperf-cli-migrate-from-');
  target = await tempDir('toolperf-cli-migrate-to-');
  await seedStore(new FileReportStore(source.path, recordingLogger()), 5);
});
afterEach(async () => {
  await source.remove();
  await target.remove();
});

describe('toolperf migrate', () => {
  it('copies a data directory into another, prints the account, and run again writes nothing', async () => {
    const first = await runToolperf(['migrate', '--from', source.path, '--to', target.path]);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toBe(
      `5 sessions in ${source.path}, copied to ${target.path}:\n  moved       5\n  replaced    0\n  unchanged   0\n  set aside   0\n  failed      0\n`,
    );
    const copied = new FileReportStore(target.path, recordingLogger(), { readOnly: true });
    for (let i = 0; i < 5; i++) expect(await copied.get(sessionIdOf(i))).toEqual(variedReport(i));
    const again = await runToolperf(['migrate', '--from', source.path, '--to', target.path, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      from: source.path,
      to: target.path,
      total: 5,
      moved: 0,
      replaced: 0,
      unchanged: 5,
      keptNewer: [],
      vanished: 0,
      setAside: [],
      failed: [],
    });
  });

  it('resolves relative paths against the working directory', async () => {
    const run = await runToolperf(['migrate', '--from', '.', '--to', target.path], { cwd: source.path });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`5 sessions in ${source.path}, copied to ${target.path}:`);
  });

  it('lists what it set aside with the reason, copies the rest, and exits 1', async () => {
    await writeFile(`${reportsDir(source.path)}/ses_broken.json`, 'not json');
    const run = await runToolperf(['migrate', '--from', source.path, '--to', target.path]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  moved       5\n');
    expect(run.stdout).toContain('  set aside   1:\n    ses_broken  ');
    expect(run.stdout).toContain('not valid JSON');
    expect(run.stderr).toBe('error: migrate: 1 session set aside and 0 failed (listed above); the others were copied. Run it again once they are fixed\n');
    expect((await new FileReportStore(target.path, recordingLogger()).list()).length).toBe(5);
  });

  it('refuses a source without reports, the same store on both sides, and a bad --concurrency', async () => {
    const empty = await tempDir('toolperf-cli-migrate-empty-');
    try {
      expectOneLineError(await runToolperf(['migrate', '--from', empty.path, '--to', target.path]), `migrate: no reports in ${empty.path}`);
    } finally {
      await empty.remove();
    }
    expectOneLineError(await runToolperf(['migrate', '--from', source.path, '--to', `${source.path}/`]), 'migrate: --from and --to name the same store');
    const bad = await runToolperf(['migrate', '--from', source.path, '--to', target.path, '--concurrency', '0']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("option '--concurrency <n>' argument '0' is invalid. expected an integer from 1 to 256.");
    const missing = await runToolperf(['migrate', '--from', source.path]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("required option '--to <url|dir>' not specified");
  });

  it('refuses to write into a file', async () => {
    const file = `${target.path}/a-file`;
    await writeFile(file, '');
    expectOneLineError(await runToolperf(['migrate', '--from', source.path, '--to', file]), `migrate: cannot write reports to ${file}: it is a file, not a directory`);
  });
});
