import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../../../src/index.js';
import { runToolperf, seedSessions, tempDir } from '../../../helpers/cli.js';

let dataDir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dataDir = await tempDir('toolperf-cli-clear-');
  await seedSessions(dataDir.path);
});
afterEach(() => dataDir.remove());

async function storedIds(): Promise<string[]> {
  const { stdout } = await runToolperf(['sessions', '--json', '--data-dir', dataDir.path]);
  return (JSON.parse(stdout) as { sessions: SessionSummary[] }).sessions.map((s) => s.sessionId);
}

describe('toolperf clear', () => {
  it('removes one session and says so; the others stay', async () => {
    const run = await runToolperf(['clear', 'ses_b', '--data-dir', dataDir.path]);
    expect(run).toEqual({ code: 0, stdout: `Removed 1 session from ${dataDir.path}\n`, stderr: '' });
    expect(await storedIds()).toEqual(['ses_c', 'ses_a']);
    expect((await runToolperf(['report', 'ses_b', '--data-dir', dataDir.path])).code).toBe(1);
  });

  it('--all removes every session and counts them', async () => {
    const run = await runToolperf(['clear', '--all', '--data-dir', dataDir.path]);
    expect(run).toEqual({ code: 0, stdout: `Removed 3 sessions from ${dataDir.path}\n`, stderr: '' });
    expect(await storedIds()).toEqual([]);
    expect((await runToolperf(['clear', '--all', '--data-dir', dataDir.path])).stdout).toBe(`Removed 0 sessions from ${dataDir.path}\n`);
  });

  it('an unknown session exits 1 and removes nothing', async () => {
    const run = await runToolperf(['clear', 'ses_nope', '--data-dir', dataDir.path]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `error: unknown session "ses_nope": no report in ${dataDir.path}\n` });
    expect(await storedIds()).toEqual(['ses_c', 'ses_b', 'ses_a']);
  });

  it('neither a session id nor --all exits 1 and removes nothing', async () => {
    const run = await runToolperf(['clear', '--data-dir', dataDir.path]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'error: clear: give a session id, or --all to delete every session\n' });
    expect(await storedIds()).toHaveLength(3);
  });

  it('both a session id and --all exits 1 and removes nothing', async () => {
    const run = await runToolperf(['clear', 'ses_a', '--all', '--data-dir', dataDir.path]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'error: clear: give a session id or --all, not both\n' });
    expect(await storedIds()).toHaveLength(3);
  });

  it('an invalid session id exits 1 and removes nothing', async () => {
    const run = await runToolperf(['clear', '..', '--data-dir', dataDir.path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('invalid session id');
    expect(await storedIds()).toHaveLength(3);
  });
});
