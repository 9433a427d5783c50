import { lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportsDir, writeReportFile } from '../../helpers/report-files.js';
import { runToolperf, seedSessions, tempDir } from '../../helpers/cli.js';

/**
 * The reading commands (`sessions`, `report`, `stats`, `compare`) never write, move or remove a file of the
 * data directory: a corrupt report is reported, with how to set it aside, and left where it is.
 */
let dataDir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dataDir = await tempDir('toolperf-cli-read-only-');
  await seedSessions(dataDir.path);
  await writeFile(join(reportsDir(dataDir.path), 'ses_bad.json'), '{"schemaVersion": 2, "sessionId": ');
  await writeReportFile(dataDir.path, 'ses_new', (r) => ({ ...r, schemaVersion: 9 }));
});
afterEach(() => dataDir.remove());

/** Every entry of the data directory with its inode, size, mtime and content. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, name);
    const stats = await lstat(path);
    out[name] = `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.isFile() ? await readFile(path, 'utf8') : 'dir'}`;
  }
  return out;
}

describe('the reading commands', () => {
  it('change nothing in the data directory, whatever they find', async () => {
    const before = await snapshot(dataDir.path);
    const runs = [
      ['sessions'],
      ['sessions', '--json'],
      ['report', 'ses_b'],
      ['report', 'ses_b', '--json'],
      ['report', 'ses_bad'],
      ['report', 'ses_new'],
      ['report', 'ses_gone'],
      ['stats', 'ses_b'],
      ['stats', 'ses_bad'],
      ['compare', 'ses_a', 'ses_b'],
      ['compare', 'ses_a', 'ses_bad', '--json'],
    ];
    for (const args of runs) await runToolperf([...args, '--data-dir', dataDir.path]);
    expect(await snapshot(dataDir.path)).toEqual(before);
  });

  it('sessions lists the readable ones and says, once each, which are corrupt and how to set them aside', async () => {
    const { code, stdout, stderr } = await runToolperf(['sessions', '--json', '--data-dir', dataDir.path]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { sessions: { sessionId: string }[] }).sessions.map((s) => s.sessionId)).toEqual(['ses_c', 'ses_b', 'ses_a']);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const bad = join(reportsDir(dataDir.path), 'ses_bad.json');
    expect(lines).toContainEqual(`[toolperf] corrupt report ${bad} (not valid JSON): left in place; set it aside by renaming it (mv ${bad} ${bad}.corrupt), or the next write of that session will`);
    expect(lines).toContainEqual(expect.stringMatching(/^\[toolperf\] skipping stored report ses_new: .*ses_new\.json: schemaVersion 9 is newer than this version of toolperf reads \(2\); left as it is/));
  });

  it('report of a corrupt session exits 1 with one line saying where it is and how to set it aside', async () => {
    const { code, stdout, stderr } = await runToolperf(['report', 'ses_bad', '--data-dir', dataDir.path]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^error: corrupt report .*ses_bad\.json \(not valid JSON\): left in place; set it aside by renaming it \(mv /);
  });

  it('no class name reaches a message (a report of a newer version)', async () => {
    const { code, stderr } = await runToolperf(['report', 'ses_new', '--data-dir', dataDir.path]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: \/.*ses_new\.json: schemaVersion 9 is newer than this version of toolperf reads \(2\); left as it is \(a newer toolperf reads it\)\n$/);
    expect(stderr).not.toMatch(/[A-Z]\w+Error\b/);
  });
});
