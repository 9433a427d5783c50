import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../../../src/index.js';
import { createReports } from '../../../../src/index.js';
import { runToolperf, seedSessions, tempDir } from '../../../helpers/cli.js';
import { recordingLogger } from '../../../helpers/tracking.js';

let dataDir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dataDir = await tempDir('toolperf-cli-sessions-');
  await seedSessions(dataDir.path);
});
afterAll(() => dataDir.remove());

function tableRows(stdout: string): string[][] {
  return stdout.trimEnd().split('\n').slice(2).map((line) => line.trim().split(/\s+/));
}

describe('toolperf sessions', () => {
  it('prints one row per session, newest update first, with call and error counts', async () => {
    const { code, stdout, stderr } = await runToolperf(['sessions', '--data-dir', dataDir.path]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')[0]?.trim().split(/\s+/)).toEqual(['session', 'started', 'updated', 'ended', 'agent', 'calls', 'errors']);
    const rows = tableRows(stdout);
    expect(rows.map((r) => [r[0], r[5], r[6]])).toEqual([
      ['ses_c', '1', '0'],
      ['ses_b', '6', '1'],
      ['ses_a', '1', '0'],
    ]);
    expect(rows[0]?.[3]).toBe('-');
    for (const row of rows) expect(row[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(rows[1]?.[3]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('--limit keeps the newest N', async () => {
    const { code, stdout } = await runToolperf(['sessions', '--data-dir', dataDir.path, '--limit', '2']);
    expect(code).toBe(0);
    expect(tableRows(stdout).map((r) => r[0])).toEqual(['ses_c', 'ses_b']);
  });

  it('--json prints {"sessions": [...]} as the HTTP API does, newest first', async () => {
    const { code, stdout } = await runToolperf(['sessions', '--json', '--data-dir', dataDir.path]);
    expect(code).toBe(0);
    const { sessions } = JSON.parse(stdout) as { sessions: SessionSummary[] };
    expect(sessions.map((s) => [s.sessionId, s.calls, s.errors, s.endedAt !== undefined])).toEqual([
      ['ses_c', 1, 0, false],
      ['ses_b', 6, 1, true],
      ['ses_a', 1, 0, true],
    ]);
    expect(sessions[0]?.startedAt).toMatch(/\.\d{3}Z$/);
  });

  it('--json with --limit', async () => {
    const { stdout } = await runToolperf(['sessions', '--json', '--limit', '1', '--data-dir', dataDir.path]);
    expect((JSON.parse(stdout) as { sessions: SessionSummary[] }).sessions.map((s) => s.sessionId)).toEqual(['ses_c']);
  });

  it('says so when there is nothing stored', async () => {
    const empty = await tempDir('toolperf-cli-empty-');
    try {
      const table = await runToolperf(['sessions', '--data-dir', empty.path]);
      expect(table).toEqual({ code: 0, stdout: `No sessions in ${empty.path}\n`, stderr: '' });
      const json = await runToolperf(['sessions', '--json', '--data-dir', empty.path]);
      expect(JSON.parse(json.stdout)).toEqual({ sessions: [] });
    } finally {
      await empty.remove();
    }
  });

  it.each(['0', '-1', '1.5', 'ten', '1e3', ''])('rejects --limit %j with one line and exit 1', async (value) => {
    const { code, stdout, stderr } = await runToolperf(['sessions', '--data-dir', dataDir.path, '--limit', value]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain("option '--limit <n>' argument");
    expect(stderr).toContain('expected a positive integer');
  });
});

describe('toolperf sessions --agent', () => {
  it('shows the agent of each session, and lists only the sessions of the agent asked for', async () => {
    const dir = await tempDir('toolperf-cli-agents-');
    try {
      const reports = createReports({ dataDir: dir.path, logger: recordingLogger() });
      const call = (sessionId: string, agent?: { name: string; version?: string }) =>
        reports.record({ sessionId, operationType: 'tool-execution', toolName: 'read', callId: undefined, startTimeMs: Date.now(), durationMs: 3, errorType: undefined, traceId: undefined, spanId: undefined, agent });
      call('ses_codex', { name: 'codex', version: '0.171.0' });
      call('ses_claude', { name: 'claude-code' });
      call('ses_plain');
      await reports.shutdown();
      const all = await runToolperf(['sessions', '--data-dir', dir.path]);
      const agents = Object.fromEntries(all.stdout.trimEnd().split('\n').slice(2).map((line) => [line.trim().split(/\s+/)[0], line.includes('codex 0.171.0') ? 'codex 0.171.0' : line.trim().split(/\s+/)[4]]));
      expect(agents).toEqual({ ses_codex: 'codex 0.171.0', ses_claude: 'claude-code', ses_plain: '-' });
      const codex = await runToolperf(['sessions', '--data-dir', dir.path, '--agent', 'codex', '--json']);
      expect((JSON.parse(codex.stdout) as { sessions: SessionSummary[] }).sessions.map((s) => [s.sessionId, s.agent])).toEqual([['ses_codex', { name: 'codex', version: '0.171.0' }]]);
    } finally {
      await dir.remove();
    }
  });
});
