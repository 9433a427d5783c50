/**
 * Item 7: a data directory deleted while a tracker runs was never made again (the store cached
 * its `mkdir` for good): every later write failed, 8,230 calls were lost, and `shutdown()` still
 * resolved as if all had been written. The directory is made again at the next write, and a
 * shutdown that could not write rejects.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, waitForOutput } from '../helpers/child.js';
import { reportsDir, storedCounts } from '../helpers/report-files.js';
import { finishWithin } from '../helpers/toolperf-process.js';

let parent: string;
let dataDir: string;
beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), 'toolperf-fault-datadir-'));
  dataDir = join(parent, 'data');
});
afterEach(async () => {
  await rm(parent, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Starts the steady tracker, waits for its first written report, lets `meddle` change the storage, then stops it. */
async function trackWhile(meddle: () => Promise<void>): Promise<{ calls: number; shutdown: string; code: number | null }> {
  const run = startFixture('steady-tracker.ts', [dataDir, 'ses_steady']);
  await waitForOutput(run.output, 'tracking');
  await until(() => existsSync(join(reportsDir(dataDir), 'ses_steady.json')), 'the first report');
  await meddle();
  run.child.kill('SIGUSR2');
  const finished = await finishWithin(run);
  expect(finished.killed).toBe(false);
  const last = finished.stdout.trim().split('\n').pop() as string;
  return { ...(JSON.parse(last) as { calls: number; shutdown: string }), code: finished.code };
}

describe('the data directory removed under a running tracker', () => {
  it('is made again at the next write: every call is stored, and shutdown resolves', async () => {
    const result = await trackWhile(async () => {
      for (let i = 0; i < 3; i++) {
        // Retried: a write may be creating its temp file in there meanwhile (ENOTEMPTY).
        await rm(dataDir, { recursive: true, force: true, maxRetries: 10 });
        // Calls go on meanwhile, and are written every 10 ms.
        await sleep(150);
      }
    });
    expect(result.shutdown).toBe('resolved');
    expect(result.calls).toBeGreaterThan(0);
    expect(await storedCounts(dataDir, 'ses_steady')).toMatchObject({ calls: result.calls, step: result.calls });
  });

  it('replaced by a file (it cannot be made again): shutdown rejects, saying how many sessions were not written', async () => {
    const result = await trackWhile(async () => {
      // Until the file wins: a write may make the directory again between the two.
      for (let placed = false; !placed; ) {
        await rm(dataDir, { recursive: true, force: true, maxRetries: 10 });
        placed = await writeFile(dataDir, 'not a directory', { flag: 'wx' }).then(
          () => true,
          () => false,
        );
      }
      await sleep(100);
    });
    expect(result.code).toBe(0);
    expect(result.shutdown).toBe('rejected: could not write the reports of 1 session(s), e.g. ses_steady; see the log');
  });
});
