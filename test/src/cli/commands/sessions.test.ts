import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReports, type ListedSession, type SessionSummary } from '../../../../src/index.js';
import { expectOneLineError, runToolperf, seedSessions, tempDir } from '../../../helpers/cli.js';
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
  it('prints one row per session, newest update first, with status, duration, call and error counts', async () => {
    const { code, stdout, stderr } = await runToolperf(['sessions', '--data-dir', dataDir.path]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')[0]?.trim().split(/\s{2,}/)).toEqual(['session', 'status', 'agent', 'started', 'updated', 'duration', 'calls', 'tool calls', 'errors', 'error rate']);
    const rows = tableRows(stdout);
    // ses_b: 4 tool calls (one failed) and 2 llm calls. No agent named these sessions.
    expect(rows.map((r) => [r[0], r[1], r[2], r[6], r[7], r[8], r[9]])).toEqual([
      ['ses_c', 'active', '-', '1', '1', '0', '0.0%'],
      ['ses_b', 'ended', '-', '6', '4', '1', '16.7%'],
      ['ses_a', 'ended', '-', '1', '1', '0', '0.0%'],
    ]);
    for (const row of rows) expect(row[3]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const row of rows) expect(row[5]).toMatch(/^\d+ms$|^\d+\.\ds$/);
  });

  it.each([
    [['--status', 'ended'], ['ses_b', 'ses_a']],
    [['--status', 'active,idle'], ['ses_c']],
    [['--has-errors'], ['ses_b']],
    [['--has-errors', 'false'], ['ses_c', 'ses_a']],
    [['--tool', 'grep'], ['ses_c', 'ses_b']],
    [['--tool', 'plan'], ['ses_b']],
    [['--search', 'S_B'], ['ses_b']],
    [['--since', '1d', '--until', '2999-01-01T00:00:00Z'], ['ses_c', 'ses_b', 'ses_a']],
    [['--sort', 'calls', '--order', 'desc'], ['ses_b', 'ses_a', 'ses_c']],
    [['--sort', 'updatedAt', '--order', 'asc'], ['ses_a', 'ses_b', 'ses_c']],
    [['--sort', 'errorRate', '--limit', '1'], ['ses_b']],
  ])('%j lists %j', async (args, ids) => {
    const { code, stdout, stderr } = await runToolperf(['sessions', '--data-dir', dataDir.path, ...args]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(tableRows(stdout).map((r) => r[0])).toEqual(ids);
  });

  it('says so when no session matches the filters', async () => {
    const run = await runToolperf(['sessions', '--data-dir', dataDir.path, '--since', '2999-01-01T00:00:00Z']);
    expect(run).toEqual({ code: 0, stdout: `No sessions match in ${dataDir.path}\n`, stderr: '' });
  });

  it('shows a session whose last call is older than the idle threshold as idle; the config sets the threshold', async () => {
    const dir = await tempDir('toolperf-cli-idle-');
    try {
      const reports = createReports({ dataDir: dir.path, logger: recordingLogger() });
      reports.record({
        sessionId: 'ses_old', operationType: 'tool-execution', toolName: 'read', callId: undefined,
        startTimeMs: Date.now() - 10 * 60_000, durationMs: 4, errorType: undefined, traceId: undefined, spanId: undefined,
      });
      await reports.shutdown();
      const byDefault = await runToolperf(['sessions', '--json', '--data-dir', dir.path]);
      expect((JSON.parse(byDefault.stdout) as { sessions: ListedSession[] }).sessions.map((s) => s.status)).toEqual(['idle']);
      const table = await runToolperf(['sessions', '--data-dir', dir.path]);
      expect(tableRows(table.stdout).map((r) => r[1])).toEqual(['idle']);
      // A threshold of an hour (environment over the default) makes it active again.
      const hour = await runToolperf(['sessions', '--json', '--data-dir', dir.path], { env: { TOOLPERF_IDLE_AFTER_MS: '3600000' } });
      expect((JSON.parse(hour.stdout) as { sessions: ListedSession[] }).sessions.map((s) => s.status)).toEqual(['active']);
      const filtered = await runToolperf(['sessions', '--status', 'active', '--data-dir', dir.path]);
      expect(filtered.stdout).toBe(`No sessions match in ${dir.path}\n`);
    } finally {
      await dir.remove();
    }
  });

  it.each([
    [['--status', 'live'], 'expected active, idle, ended'],
    [['--sort', 'name'], 'Allowed choices are updatedAt'],
    [['--order', 'up'], 'Allowed choices are asc, desc'],
    [['--since', 'yesterday'], 'expected an ISO 8601 date-time'],
    [['--has-errors', 'maybe'], 'expected true or false'],
  ])('rejects %j with one line and exit 1', async (args, text) => {
    const run = await runToolperf(['sessions', '--data-dir', dataDir.path, ...args]);
    expectOneLineError(run, text);
  });

  it('--limit keeps the newest N', async () => {
    const { code, stdout } = await runToolperf(['sessions', '--data-dir', dataDir.path, '--limit', '2']);
    expect(code).toBe(0);
    expect(tableRows(stdout).map((r) => r[0])).toEqual(['ses_c', 'ses_b']);
  });

  it('--json prints {"sessions": [...]} as the HTTP API does, newest first', async () => {
    const { code, stdout } = await runToolperf(['sessions', '--json', '--data-dir', dataDir.path]);
    expect(code).toBe(0);
    const { sessions } = JSON.parse(stdout) as { sessions: ListedSession[] };
    expect(sessions.map((s) => [s.sessionId, s.status, s.calls, s.errors, s.toolCalls, s.toolErrors, s.errorRate, s.endedAt !== undefined])).toEqual([
      ['ses_c', 'active', 1, 0, 1, 0, 0, false],
      ['ses_b', 'ended', 6, 1, 4, 1, 0.1667, true],
      ['ses_a', 'ended', 1, 0, 1, 0, 0, true],
    ]);
    expect(sessions[1]?.tools).toEqual(['read', 'plan', 'grep']);
    for (const s of sessions) expect(s.durationMs).toBe(Date.parse(s.updatedAt) - Date.parse(s.startedAt));
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
      const agents = Object.fromEntries(all.stdout.trimEnd().split('\n').slice(2).map((line) => [line.trim().split(/\s+/)[0], line.includes('codex 0.171.0') ? 'codex 0.171.0' : line.trim().split(/\s+/)[2]]));
      expect(agents).toEqual({ ses_codex: 'codex 0.171.0', ses_claude: 'claude-code', ses_plain: '-' });
      const codex = await runToolperf(['sessions', '--data-dir', dir.path, '--agent', 'codex', '--json']);
      expect((JSON.parse(codex.stdout) as { sessions: SessionSummary[] }).sessions.map((s) => [s.sessionId, s.agent])).toEqual([['ses_codex', { name: 'codex', version: '0.171.0' }]]);
    } finally {
      await dir.remove();
    }
  });
});
