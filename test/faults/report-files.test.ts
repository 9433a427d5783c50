/**
 * Items 9 and 16: what sits at a report's path may be anything. A FIFO once hung listing, the CLI
 * and `serve` (whose SIGINT then never ended it); a link was followed out of the data directory
 * and its target's first bytes quoted in a log line; a directory or a 600 MB file gave raw EISDIR
 * and "Invalid string length" and made the session unwritable; a copy of another session's report
 * was taken for that session. Only regular files are read, never through a link, never past
 * MAX_REPORT_BYTES, and the rest is reported with one clear line: set aside by a writer, left in
 * place (with how to set it aside) by the CLI's reading commands.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, open, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REPORT_BYTES } from '../../src/storage/report-file.js';
import { startFixture } from '../helpers/child.js';
import { reportEntries, reportsDir, storedCounts, writeReportFile } from '../helpers/report-files.js';
import { finishWithin, runToolperfProcess, startServe } from '../helpers/toolperf-process.js';

const SECRET = 'root:x:0:0:root:/root:/bin/bash\n';

let dataDir: string;
let outside: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-fault-files-'));
  outside = await mkdtemp(join(tmpdir(), 'toolperf-fault-outside-'));
  await writeReportFile(dataDir, 'ses_good');
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

function pathOf(sessionId: string): string {
  return join(reportsDir(dataDir), `${sessionId}.json`);
}

async function listed(): Promise<{ ids: string[]; stderr: string }> {
  const run = await runToolperfProcess(['sessions', '--json', '--data-dir', dataDir], dataDir);
  expect(run.killed).toBe(false);
  expect(run.code).toBe(0);
  return { ids: (JSON.parse(run.stdout) as { sessions: { sessionId: string }[] }).sessions.map((s) => s.sessionId), stderr: run.stderr };
}

function oneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('a FIFO named like a report', () => {
  beforeEach(() => {
    execFileSync('mkfifo', [pathOf('ses_fifo')]);
  });

  it('toolperf sessions and toolperf report finish, and leave it in place', async () => {
    const { ids, stderr } = await listed();
    expect(ids).toEqual(['ses_good']);
    oneLine(stderr, /corrupt report .*ses_fifo\.json \(a FIFO, not a regular file\): left in place; set it aside by renaming it/);
    const report = await runToolperfProcess(['report', 'ses_fifo', '--data-dir', dataDir], dataDir);
    expect({ killed: report.killed, code: report.code }).toEqual({ killed: false, code: 1 });
    oneLine(report.stderr, /^error: corrupt report .*ses_fifo\.json \(a FIFO, not a regular file\): left in place/);
    expect(await reportEntries(dataDir)).toEqual(['ses_fifo.json', 'ses_good.json']);
  });

  it('serve answers every request for it (more than the thread pool has threads), and stops on SIGINT', async () => {
    const serve = await startServe(dataDir);
    try {
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => fetch(`${serve.url}/api/v1/sessions/ses_fifo/report`, { signal: AbortSignal.timeout(10_000) })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(404));
      const list = await fetch(`${serve.url}/api/v1/sessions`, { signal: AbortSignal.timeout(10_000) });
      expect(((await list.json()) as { sessions: { sessionId: string }[] }).sessions.map((s) => s.sessionId)).toEqual(['ses_good']);
    } finally {
      const finished = await serve.stop();
      expect(finished.killed).toBe(false);
      expect(finished.code).toBe(0);
      oneLine(finished.stderr, /corrupt report .*ses_fifo\.json \(a FIFO, not a regular file\)/);
    }
  });
});

describe('a symbolic link named like a report', () => {
  it('to a file outside the data directory: not read, not quoted, left in place by a reader (the target untouched)', async () => {
    const target = join(outside, 'passwd');
    await mkdir(outside, { recursive: true });
    await open(target, 'w').then(async (f) => {
      await f.writeFile(SECRET);
      await f.close();
    });
    await symlink(target, pathOf('ses_link'));
    const report = await runToolperfProcess(['report', 'ses_link', '--data-dir', dataDir], dataDir);
    expect(report.code).toBe(1);
    expect(report.stderr).not.toContain('root:x');
    expect(report.stderr).toMatch(/corrupt report .*ses_link\.json \(a symbolic link, not a regular file\): left in place/);
    expect(await readFile(target, 'utf8')).toBe(SECRET);
    expect((await reportEntries(dataDir)).filter((n) => n.startsWith('ses_link'))).toEqual(['ses_link.json']);
  });

  it('to a valid report of that session outside the data directory: still not followed', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'toolperf-fault-elsewhere-'));
    try {
      const real = await writeReportFile(elsewhere, 'ses_link');
      await symlink(real, pathOf('ses_link'));
      const { ids, stderr } = await listed();
      expect(ids).toEqual(['ses_good']);
      oneLine(stderr, /ses_link\.json \(a symbolic link, not a regular file\)/);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('no log line quotes a file', () => {
  it('text that is not JSON is reported as such, without its bytes', async () => {
    await mkdir(reportsDir(dataDir), { recursive: true });
    await open(pathOf('ses_text'), 'w').then(async (f) => {
      await f.writeFile(SECRET);
      await f.close();
    });
    const { ids, stderr } = await listed();
    expect(ids).toEqual(['ses_good']);
    expect(stderr).not.toContain('root');
    oneLine(stderr, /corrupt report .*ses_text\.json \(not valid JSON\): left in place/);
  });

  it('a key of the document that fails the schema is shown as *', async () => {
    await writeReportFile(dataDir, 'ses_keys', (r) => ({ ...r, operations: { 'root:x:0:0': { count: 'many' } } }));
    const { stderr } = await listed();
    expect(stderr).not.toContain('root');
    oneLine(stderr, /ses_keys\.json \(operations\.\*\.count: .+\): left in place/);
  });
});

describe('a report of another session', () => {
  it('copied to another session’s name is not that session, and is not listed twice', async () => {
    await copyFile(pathOf('ses_good'), pathOf('ses_copy'));
    const { ids, stderr } = await listed();
    expect(ids).toEqual(['ses_good']);
    oneLine(stderr, /corrupt report .*ses_copy\.json \(the report of another session\): left in place/);
    const report = await runToolperfProcess(['report', 'ses_copy', '--data-dir', dataDir], dataDir);
    expect(report.code).toBe(1);
  });
});

describe('a directory named like a report', () => {
  it('is set aside with one clear line, and a process continuing that session writes it', async () => {
    await mkdir(pathOf('ses_dir'));
    const finished = await finishWithin(startFixture('tracked-process.ts', [dataDir, 'ses_dir', '10', 'beforeExit']));
    expect(finished.killed).toBe(false);
    expect(finished.code).toBe(0);
    expect(finished.stderr).not.toContain('EISDIR');
    oneLine(finished.stderr, /corrupt report .*ses_dir\.json \(a directory, not a regular file\): moved to /);
    expect(await storedCounts(dataDir, 'ses_dir')).toEqual({ calls: 20, step: 10, fast: 10 });
  });
});

describe('a file too large to be a report', () => {
  it(`(600 MB, sparse) is set aside unread with one clear line, and the session is written anew`, async () => {
    await mkdir(reportsDir(dataDir), { recursive: true });
    const big = await open(pathOf('ses_big'), 'w');
    await big.truncate(600 * 1024 * 1024);
    await big.close();
    expect(600 * 1024 * 1024).toBeGreaterThan(MAX_REPORT_BYTES);
    const { ids, stderr } = await listed();
    expect(ids).toEqual(['ses_good']);
    expect(stderr).not.toMatch(/Invalid string length|ERR_STRING_TOO_LONG|longer than/);
    oneLine(stderr, new RegExp(`corrupt report .*ses_big\\.json \\(629145600 bytes, more than a report can be \\(${MAX_REPORT_BYTES}\\)\\): left in place`));
    const finished = await finishWithin(startFixture('tracked-process.ts', [dataDir, 'ses_big', '10', 'exit']));
    expect(finished.code).toBe(0);
    expect(await storedCounts(dataDir, 'ses_big')).toEqual({ calls: 20, step: 10, fast: 10 });
  });
});
