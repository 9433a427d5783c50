import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore, REPORTS_SUBDIRECTORY } from '../../src/index.js';
import { startFixture, waitForOutput, type Finished } from '../helpers/child.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-faults-exit-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function storedCount(sessionId: string): Promise<number | undefined> {
  return (await new FileReportStore(dataDir).get(sessionId))?.operations['tool-execution']?.count;
}

async function tempFiles(): Promise<string[]> {
  const names = await readdir(join(dataDir, REPORTS_SUBDIRECTORY)).catch(() => []);
  return names.filter((name) => name.endsWith('.tmp'));
}

describe('process.exit() while a debounced write is under way (issue item 2)', () => {
  it.each(['get', 'put', 'put-late'] as const)('exit during its %s: every call is stored, no temp file is left', async (stage) => {
    for (let run = 0; run < 3; run++) {
      const finished = await startFixture('exit-in-flight.ts', [dataDir, stage]).done;
      expect(finished.stderr).toBe('');
      expect(finished.code).toBe(0);
      expect([await storedCount('ses_a'), await storedCount('ses_b')]).toEqual([30 * (run + 1), 10 * (run + 1)]);
      expect(await tempFiles()).toEqual([]);
    }
  });
});

/**
 * A test that needs root (here: to bind-mount a directory read-only). Skipped with the reason when
 * not root, except in CI, where it must fail rather than pass unseen.
 */
function asRoot(name: string, test: () => Promise<void>, timeoutMs?: number): void {
  if (process.getuid?.() === 0) it(name, test, timeoutMs);
  else if (process.env.CI === 'true') it(name, () => expect.fail('needs root for a read-only bind mount; run the fault suite as root in CI'));
  else it.skip(`${name} (skipped: needs root for a read-only bind mount)`, test);
}

/** Runs `test` with the data directory bind-mounted read-only over itself (root can write through `chmod`, not through this). */
async function withReadOnlyDataDir(test: () => Promise<void>): Promise<void> {
  await mkdir(join(dataDir, REPORTS_SUBDIRECTORY), { recursive: true });
  execFileSync('mount', ['--bind', dataDir, dataDir]);
  try {
    execFileSync('mount', ['-o', 'remount,ro,bind', dataDir]);
    await test();
  } finally {
    execFileSync('umount', [dataDir]);
  }
}

/** The child's end, or a kill after `ms` (then `code` and `signal` say so). */
async function endWithin(run: { child: { kill(signal: NodeJS.Signals): boolean }; done: Promise<Finished> }, ms: number): Promise<Finished> {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), ms);
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
  }
}

describe('unwritable storage at exit (issue item 5)', () => {
  asRoot('a process that runs out of work exits (once it has tried), and says why once', async () => {
    await withReadOnlyDataDir(async () => {
      const finished = await endWithin(startFixture('unwritable-exit.ts', [dataDir, 'beforeExit']), 20_000);
      expect([finished.code, finished.signal]).toEqual([0, null]);
      const lines = finished.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/could not write the report of session ses_\d.*EROFS/);
    });
  }, 30_000);

  asRoot('SIGTERM: the process ends by the signal within the shutdown deadline, and says why once', async () => {
    await withReadOnlyDataDir(async () => {
      const run = startFixture('unwritable-exit.ts', [dataDir, 'signal']);
      await waitForOutput(run.output, 'ready');
      run.child.kill('SIGTERM');
      const finished = await endWithin(run, 20_000);
      expect(finished.signal).toBe('SIGTERM');
      expect(finished.stderr.trim().split('\n')).toHaveLength(1);
    });
  }, 30_000);
});
