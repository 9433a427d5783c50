import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore } from '../../../src/index.js';
import { startFixture, waitForOutput } from '../../helpers/child.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-hooks-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function storedCounts(sessionId: string) {
  const report = await new FileReportStore(dataDir).get(sessionId);
  const ops = report?.operations['tool-execution'];
  return { calls: ops?.count, errors: ops?.errors, step: ops?.tools.step?.count, fast: ops?.tools.fast?.count };
}

describe('nothing is lost when the process ends', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s: writes every open session, then ends by that signal', async (signal) => {
    const run = startFixture('tracked-process.ts', [dataDir, 'ses_sig', '50', 'signal']);
    await waitForOutput(run.output, 'ready');
    run.child.kill(signal);
    const finished = await run.done;
    expect(finished.signal).toBe(signal);
    expect(await storedCounts('ses_sig')).toEqual({ calls: 100, errors: 5, step: 50, fast: 50 });
  });

  it('beforeExit: a process that just runs out of work writes its sessions', async () => {
    const finished = await startFixture('tracked-process.ts', [dataDir, 'ses_be', '30', 'beforeExit']).done;
    expect(finished.code).toBe(0);
    expect(await storedCounts('ses_be')).toEqual({ calls: 60, errors: 3, step: 30, fast: 30 });
  });

  it('process.exit(): the synchronous last write keeps the calls', async () => {
    const finished = await startFixture('tracked-process.ts', [dataDir, 'ses_exit', '20', 'exit']).done;
    expect(finished.code).toBe(0);
    expect(await storedCounts('ses_exit')).toEqual({ calls: 40, errors: 2, step: 20, fast: 20 });
  });

  it('a host SIGTERM handler that exits at once: still written, and the host decides the exit code', async () => {
    const run = startFixture('tracked-process.ts', [dataDir, 'ses_host', '10', 'host-exit']);
    await waitForOutput(run.output, 'ready');
    run.child.kill('SIGTERM');
    const finished = await run.done;
    expect(finished.code).toBe(3);
    expect(await storedCounts('ses_host')).toEqual({ calls: 20, errors: 1, step: 10, fast: 10 });
  });

  it('a session resumed in a second process continues the first one’s report', async () => {
    await startFixture('tracked-process.ts', [dataDir, 'ses_resume', '20', 'beforeExit']).done;
    await startFixture('tracked-process.ts', [dataDir, 'ses_resume', '30', 'exit']).done;
    expect(await storedCounts('ses_resume')).toEqual({ calls: 100, errors: 5, step: 50, fast: 50 });
  });
});

describe('a crash mid-write', () => {
  it('leaves the previous report intact (SIGKILL at random points of a rewrite loop)', async () => {
    const path = join(dataDir, 'session', 'performance', 'ses_crash.json');
    for (let round = 0; round < 8; round++) {
      const run = startFixture('crash-writer.ts', [dataDir]);
      await waitForOutput(run.output, '\n');
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
      run.child.kill('SIGKILL');
      const { stdout } = await run.done;
      const confirmed = Math.max(...stdout.trim().split('\n').map(Number));
      const report = JSON.parse(await readFile(path, 'utf8')) as { operations: Record<string, { count: number }> };
      const count = report.operations['tool-execution']?.count ?? 0;
      // The file holds a complete version: the last one confirmed, or one written just after it.
      expect(count).toBeGreaterThanOrEqual(confirmed);
      expect(count % 500).toBe(0);
      expect(await new FileReportStore(dataDir).get('ses_crash')).toBeDefined();
    }
    // Temp files of killed writes are never taken for reports.
    const listed = await new FileReportStore(dataDir).list();
    expect(listed.map((s) => s.sessionId)).toEqual(['ses_crash']);
    expect((await readdir(join(dataDir, 'session', 'performance'))).filter((n) => n.endsWith('.json'))).toEqual(['ses_crash.json']);
  }, 120_000);
});
