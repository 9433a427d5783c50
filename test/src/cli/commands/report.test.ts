import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerformance, type SessionReport } from '../../../../src/index.js';
import { runToolperf, seedSessions, tempDir } from '../../../helpers/cli.js';
import { recordingLogger } from '../../../helpers/tracking.js';
import { SESSION, SessionCalls } from '../../../helpers/session-calls.js';
import { createReports } from '../../../../src/reports/reports.js';

let dataDir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dataDir = await tempDir('toolperf-cli-report-');
  await seedSessions(dataDir.path);
});
afterAll(() => dataDir.remove());

async function storedReport(sessionId: string): Promise<SessionReport | undefined> {
  const perf = createPerformance({ dataDir: dataDir.path, handleProcessExit: false, env: {}, logger: recordingLogger() });
  try {
    return await perf.api.getReport({ sessionId });
  } finally {
    await perf.shutdown();
  }
}

describe('toolperf report', () => {
  it('prints the session as a table: a block per operation type, a row per tool, errors by type, recent calls', async () => {
    const { code, stdout, stderr } = await runToolperf(['report', 'ses_b', '--data-dir', dataDir.path]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^Session ses_b \(ended\)\n {2}started \S+ {3}updated \S+ {3}ended \S+\n/);
    expect(stdout).toContain('tool-execution (milliseconds)');
    expect(stdout).toMatch(/^ {2}read\s+3\s+1\s+66\.7%/m);
    expect(stdout).toMatch(/^ {2}grep\s+1\s+0\s+100\.0%/m);
    expect(stdout).toMatch(/^ {2}\(all\)\s+4\s+1\s+75\.0%/m);
    expect(stdout).toContain('errors by type: ENOENT ×1');
    expect(stdout).toContain('llm-call (milliseconds)');
    expect(stdout).toMatch(/^ {2}plan\s+2\s+0\s+100\.0%/m);
    expect(stdout).toContain('last 5 of 6 recent calls');
    expect(stdout).toMatch(/read\s+\S+ ms {2}failed \(ENOENT\)/);
  });

  it('prints the recommendations after the statistics, each with its severity, tool, saving and advice', async () => {
    const own = await tempDir('toolperf-cli-recommend-');
    try {
      const reports = createReports({ dataDir: own.path, logger: recordingLogger() });
      for (const call of new SessionCalls().repeat(9, 'bash', 1000).repeat(2, 'grep', 100).calls) reports.record(call);
      await reports.shutdown();
      const { code, stdout, stderr } = await runToolperf(['report', SESSION, '--data-dir', own.path]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toContain('recommendations (1, the largest estimated saving first)');
      expect(stdout).toMatch(/^ {2}WARNING {2}dominant-tool {2}bash {2}saves ~4500 ms$/m);
      expect(stdout).toMatch(/^ {11}bash takes 98% of this session's tool-execution time/m);
      expect(stdout.indexOf('recommendations (')).toBeGreaterThan(stdout.indexOf('(all)'));
    } finally {
      await own.remove();
    }
  });

  it('lists the session\'s alerts, firing and resolved, with why', async () => {
    const reports = createReports({ dataDir: dataDir.path, logger: recordingLogger(), alerts: { defaultRules: false, rules: [{ kind: 'slow-call', tools: ['read', 'grep'], thresholdMs: 100 }] } });
    const call = { sessionId: 'ses_alerting', operationType: 'tool-execution', callId: undefined, errorType: undefined, traceId: undefined, spanId: undefined };
    reports.record({ ...call, toolName: 'read', startTimeMs: Date.now() - 5000, durationMs: 250 });
    reports.record({ ...call, toolName: 'grep', startTimeMs: Date.now() - 4000, durationMs: 300 });
    reports.record({ ...call, toolName: 'grep', startTimeMs: Date.now() - 3000, durationMs: 5 });
    await reports.shutdown();
    const { code, stdout } = await runToolperf(['report', 'ses_alerting', '--data-dir', dataDir.path]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^alerts \(1 firing\)\n {2}resolved {2}slow-call:read,grep {2}grep took 300 ms \(slow-call threshold 100 ms\)\n {2}firing {4}slow-call:read,grep {2}read took 250 ms/m);
  });

  it('--json prints the report document, the same the API answers', async () => {
    const { code, stdout } = await runToolperf(['report', 'ses_b', '--json', '--data-dir', dataDir.path]);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as SessionReport;
    expect(printed).toEqual({ ...(await storedReport('ses_b')), status: 'ended' });
    expect(printed.operations['tool-execution']?.tools.read).toMatchObject({ count: 3, errors: 1, errorTypes: { ENOENT: 1 } });
    expect(printed).not.toHaveProperty('aggregates');
  });

  it('an unknown session exits 1 with one line naming it and the data directory', async () => {
    const { code, stdout, stderr } = await runToolperf(['report', 'ses_nope', '--data-dir', dataDir.path]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(`error: unknown session "ses_nope": no report in ${dataDir.path}\n`);
  });

  it.each(['../ses_b', 'a/b', '.hidden', 'x'.repeat(129)])('an invalid session id (%s) exits 1 before anything is read', async (id) => {
    const { code, stderr } = await runToolperf(['report', id, '--data-dir', dataDir.path]);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain('invalid session id');
  });

  it('without a session id exits 1', async () => {
    const { code, stderr } = await runToolperf(['report', '--data-dir', dataDir.path]);
    expect(code).toBe(1);
    expect(stderr).toBe("error: missing required argument 'sessionId'\n");
  });

  it('with a second positional exits 1', async () => {
    const { code, stderr } = await runToolperf(['report', 'ses_a', 'ses_b', '--data-dir', dataDir.path]);
    expect(code).toBe(1);
    expect(stderr).toContain('too many arguments');
  });
});
