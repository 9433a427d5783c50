import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore } from '../../../../src/storage/file-store.js';
import { storedReport, type CallSpec } from '../../server/fixtures.js';
import { expectOneLineError, runToolperf, tempDir } from '../../../helpers/cli.js';
import { recordingLogger } from '../../../helpers/tracking.js';

const DAY = 86_400_000;
const CALLS: CallSpec[] = [{ tool: 'read', ms: 3 }];

let dataDir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dataDir = await tempDir('toolperf-cli-prune-');
  const store = new FileReportStore(dataDir.path, recordingLogger());
  for (const [id, daysAgo] of [['ses_old', 40], ['ses_older', 90], ['ses_new', 2]] as const) await store.put(storedReport(id, Date.now() - daysAgo * DAY, CALLS));
});
afterEach(() => dataDir.remove());

async function storedIds(): Promise<string[]> {
  return (await new FileReportStore(dataDir.path, recordingLogger()).list()).map((s) => s.sessionId).sort();
}

describe('toolperf prune', () => {
  it('--older-than 30d removes the sessions not updated for 30 days and prints each', async () => {
    const { code, stdout, stderr } = await runToolperf(['prune', '--older-than', '30d', '--data-dir', dataDir.path]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Removed 2 sessions last updated before \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z from ${dataDir.path}:$`));
    expect(lines.slice(1).map((line) => line.trim().split(/\s+/)[0])).toEqual(['ses_old', 'ses_older']);
    expect(await storedIds()).toEqual(['ses_new']);
  });

  it('--dry-run lists them and removes nothing; --json prints what the API answers', async () => {
    const dry = await runToolperf(['prune', '--older-than', '60d', '--dry-run', '--data-dir', dataDir.path]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Would remove 1 session last updated before .+:\n {2}ses_older {2}updated /);
    expect(await storedIds()).toEqual(['ses_new', 'ses_old', 'ses_older']);
    const json = await runToolperf(['prune', '--older-than', '1w', '--json', '--data-dir', dataDir.path]);
    const body = JSON.parse(json.stdout) as { before: string; removed: { sessionId: string }[] };
    expect(body.removed.map((s) => s.sessionId)).toEqual(['ses_old', 'ses_older']);
    expect(Date.parse(body.before)).toBeLessThan(Date.now() - 7 * DAY + 60_000);
  });

  it('says so when nothing is that old', async () => {
    const { code, stdout } = await runToolperf(['prune', '--older-than', '365d', '--data-dir', dataDir.path]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Removed 0 sessions last updated before \S+ from .+\n$/);
  });

  it('without --older-than exits 1 with one line and removes nothing', async () => {
    expectOneLineError(await runToolperf(['prune', '--data-dir', dataDir.path]), "required option '--older-than <duration>' not specified");
    expect(await storedIds()).toHaveLength(3);
  });

  it.each(['30', 'thirty days', '30D', '1.5d', '0d', '-3d', ''])('--older-than %j exits 1 with one line saying what a duration is', async (value) => {
    const run = await runToolperf(['prune', '--older-than', value, '--data-dir', dataDir.path]);
    expectOneLineError(run, 'expected a whole number and a unit, e.g. 30d, 12h, 45m, 90s or 2w');
    expect(await storedIds()).toHaveLength(3);
  });
});
