import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore, REPORTS_SUBDIRECTORY } from '../../src/index.js';
import { startFixture, waitForOutput } from '../helpers/child.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-faults-signals-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function stored(): Promise<{ sessions: number; calls: number }> {
  const summaries = await new FileReportStore(dataDir, { warn: () => {} }).list();
  return { sessions: summaries.length, calls: summaries.reduce((sum, s) => sum + s.calls, 0) };
}

async function tempFiles(): Promise<string[]> {
  const names = await readdir(join(dataDir, REPORTS_SUBDIRECTORY)).catch(() => []);
  return names.filter((name) => name.endsWith('.tmp'));
}

describe('an application that handles SIGINT/SIGTERM itself (issue item 3)', () => {
  it.each(['cancel', 'cancel-exit'] as const)(
    'Ctrl-C cancels a turn and the agent goes on (%s): the calls after the signal are tracked and stored too',
    async (mode) => {
      const run = startFixture('own-signal-handler.ts', [dataDir, mode]);
      await waitForOutput(run.output, 'ready');
      run.child.kill('SIGINT');
      const finished = await run.done;
      expect(finished.stderr).toBe('');
      expect([finished.code, finished.signal]).toEqual([0, null]);
      expect(await stored()).toEqual({ sessions: 1, calls: 200 });
    },
  );

  it('a drain-then-exit SIGTERM handler: the calls done before the signal and those finished during the drain are stored', async () => {
    const run = startFixture('own-signal-handler.ts', [dataDir, 'drain']);
    await waitForOutput(run.output, 'ready');
    run.child.kill('SIGTERM');
    const finished = await run.done;
    expect(finished.stderr).toBe('');
    expect([finished.code, finished.signal]).toEqual([0, null]);
    expect(await stored()).toEqual({ sessions: 1, calls: 70 });
  });
});

describe('SIGTERM with thousands of live sessions (issue item 6)', () => {
  it('4,000 sessions of 36 calls: every call is stored, the process ends by SIGTERM, no temp file is left', async () => {
    const run = startFixture('many-sessions.ts', [dataDir, '4000', '36']);
    await waitForOutput(run.output, 'ready', 30_000);
    run.child.kill('SIGTERM');
    const finished = await run.done;
    expect(finished.signal).toBe('SIGTERM');
    expect(await stored()).toEqual({ sessions: 4000, calls: 144_000 });
    expect(await tempFiles()).toEqual([]);
  }, 60_000);

  it('a store too slow for the 5 s deadline: what is left then is written synchronously before the process ends', async () => {
    // Every asynchronous write waits 1 s first: 1,000 sessions at 64 at a time need 16 s.
    const run = startFixture('many-sessions.ts', [dataDir, '1000', '5', '1000']);
    await waitForOutput(run.output, 'ready', 30_000);
    run.child.kill('SIGTERM');
    const finished = await run.done;
    expect(finished.signal).toBe('SIGTERM');
    expect(finished.stderr).toMatch(/shutdown after SIGTERM took over 5000 ms; writing what is left synchronously/);
    expect(await stored()).toEqual({ sessions: 1000, calls: 5000 });
    expect(await tempFiles()).toEqual([]);
  }, 60_000);

  it('a second signal during that shutdown (Ctrl-C again) writes what is left synchronously before the process ends', async () => {
    const run = startFixture('many-sessions.ts', [dataDir, '1000', '5', '1000']);
    await waitForOutput(run.output, 'ready', 30_000);
    run.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    run.child.kill('SIGINT');
    const finished = await run.done;
    expect(finished.signal).toBe('SIGINT');
    expect(finished.stderr).toMatch(/SIGINT during the shutdown after SIGTERM; writing what is left synchronously/);
    expect(await stored()).toEqual({ sessions: 1000, calls: 5000 });
    expect(await tempFiles()).toEqual([]);
  }, 60_000);
});
