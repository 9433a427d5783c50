import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore } from '../../src/storage/file-store.js';
import { startFixture } from '../helpers/child.js';
import { runToolperf, tempDir } from '../helpers/cli.js';
import { seedStore, sessionIdOf, variedReport } from '../helpers/many-reports.js';
import { reportsDir } from '../helpers/report-files.js';
import { recordingLogger } from '../helpers/tracking.js';

const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'src/cli/bin.ts');
const SESSIONS = 2_000;
/** The migration is killed once this many reports are in the target. */
const KILL_AFTER = 300;

let source: { path: string; remove: () => Promise<void> };
let target: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  source = await tempDir('toolperf-migrate-kill-from-');
  target = await tempDir('toolperf-migrate-kill-to-');
});
afterEach(async () => {
  await source.remove();
  await target.remove();
});

async function copiedSoFar(): Promise<number> {
  const names = await readdir(reportsDir(target.path)).catch(() => []);
  return names.filter((name) => name.endsWith('.json') && !name.startsWith('.')).length;
}

describe('toolperf migrate, interrupted', () => {
  it('killed with SIGKILL mid-way, run again, it copies only the rest and every report arrives whole', { timeout: 120_000 }, async () => {
    await seedStore(new FileReportStore(source.path, recordingLogger()), SESSIONS);
    const run = startFixture(bin, ['migrate', '--from', source.path, '--to', target.path, '--concurrency', '1'], { cwd: target.path });
    let ended = false;
    void run.done.then(() => (ended = true));
    while (!ended && (await copiedSoFar()) < KILL_AFTER) await new Promise((resolve) => setTimeout(resolve, 5));
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal, `the migration ended before it could be killed: ${killed.stdout}`).toBe('SIGKILL');
    const before = await copiedSoFar();
    expect(before).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(before).toBeLessThan(SESSIONS);

    const again = await runToolperf(['migrate', '--from', source.path, '--to', target.path, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const account = JSON.parse(again.stdout) as { moved: number; unchanged: number; replaced: number; setAside: unknown[] };
    // Each report is one atomic write: what the killed run wrote is whole, found the same and left.
    expect(account).toMatchObject({ unchanged: before, moved: SESSIONS - before, replaced: 0, setAside: [] });
    const copied = new FileReportStore(target.path, recordingLogger(), { readOnly: true });
    expect((await copied.list()).length).toBe(SESSIONS);
    for (let i = 0; i < SESSIONS; i += 97) expect(await copied.get(sessionIdOf(i))).toEqual(variedReport(i));
  });
});
