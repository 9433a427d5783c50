/**
 * Item 14: temp files of writes that never finished (a writer killed mid-write) were never removed
 * (417 files, 58 MB after 20 kills); and temp names were `<pid>.<counter>`, which two writers
 * share when they run in different PID namespaces (containers) or hosts over one data directory.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STALE_TEMP_FILE_MS } from '../../src/storage/temp-files.js';
import { startFixture, waitForOutput, type Finished } from '../helpers/child.js';
import { reportsDir, storedCounts } from '../helpers/report-files.js';
import { finishWithin } from '../helpers/toolperf-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** unshare --pid needs root; in CI (CI=true) the test runs anyway, and fails rather than pass unseen. */
const canUnshare = process.getuid?.() === 0 || process.env.CI === 'true';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-fault-temp-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const tempNames = async (): Promise<string[]> => (await readdir(reportsDir(dataDir))).filter((n) => n.endsWith('.tmp')).sort();

describe('temp files of killed writers', () => {
  it('stale ones are removed when a store next writes; a live writer’s (young) one is kept', async () => {
    // Real leftovers: a writer killed at random points of a rewrite loop.
    for (let round = 0; round < 5; round++) {
      const run = startFixture('crash-writer.ts', [dataDir]);
      await waitForOutput(run.output, '\n');
      await new Promise((r) => setTimeout(r, Math.random() * 100));
      run.child.kill('SIGKILL');
      await run.done;
    }
    // And one of each naming, whatever the kills left: this version's and the earlier pid.counter one.
    const dir = reportsDir(dataDir);
    await writeFile(join(dir, '.ses_crash.json.0123456789abcdef.tmp'), '{"partial": ');
    await writeFile(join(dir, '.ses_crash.json.4242.7.tmp'), '{"partial": ');
    const stale = await tempNames();
    const longAgo = new Date(Date.now() - STALE_TEMP_FILE_MS - 60_000);
    for (const name of stale) await utimes(join(dir, name), longAgo, longAgo);
    const live = '.ses_live.json.fedcba9876543210.tmp';
    await writeFile(join(dir, live), '{"being written": ');

    const finished = await finishWithin(startFixture('tracked-process.ts', [dataDir, 'ses_other', '5', 'beforeExit']));
    expect(finished.code).toBe(0);
    expect(await storedCounts(dataDir, 'ses_other')).toEqual({ calls: 10, step: 5, fast: 5 });
    expect(stale.length).toBeGreaterThanOrEqual(2);
    expect(await tempNames()).toEqual([live]);
  });
});

describe('two writers of one session with the same PID', () => {
  /** The same-session writer, as PID 1 of a PID namespace of its own (a container's view). */
  function inPidNamespace(startAtMs: number): Promise<Finished> {
    const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/esm/index.mjs')).href;
    const fixture = join(root, 'test/fixtures/same-session-writer.ts');
    const child = spawn('unshare', ['--pid', '--fork', process.execPath, '--import', tsx, fixture, dataDir, 'ses_shared', '30', String(startAtMs)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  }

  it.skipIf(!canUnshare)('(needs root for unshare --pid) never share a temp file: no write fails, the report is whole', async () => {
    await mkdir(reportsDir(dataDir), { recursive: true });
    const startAt = Date.now() + 1500;
    const results = await Promise.all([inPidNamespace(startAt), inPidNamespace(startAt)]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ failed: 0 });
    }
    // Each writer's last report: its 30 `step` calls (and the 120 that fill the sketches).
    expect(await storedCounts(dataDir, 'ses_shared')).toEqual({ calls: 150, step: 30, fast: undefined });
    expect(await tempNames()).toEqual([]);
  });
});
