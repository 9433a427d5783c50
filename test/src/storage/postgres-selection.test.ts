import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPerformance, createReports } from '../../../src/index.js';
import { runToolperf, tempDir } from '../../helpers/cli.js';
import { findPostgres, startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { requireProgram, skipUnlessAvailable } from '../../helpers/real-component.js';
import { recordingLogger } from '../../helpers/tracking.js';
import { freePort } from '../../helpers/prometheus-server.js';

const postgres = findPostgres();

/**
 * The PostgreSQL store chosen by URL: `createPerformance({ store })`, `createReports({ store })`,
 * `$TOOLPERF_STORE` and `--store` on the commands; the files stay the default.
 */
describe.skipIf(skipUnlessAvailable(postgres))('choosing the PostgreSQL store by URL (a real PostgreSQL 15)', () => {
  let server: PostgresServer;
  let url: string;

  beforeAll(async () => {
    server = await startPostgres(requireProgram(postgres));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    url = await server.createDatabase();
  });

  /** Two sessions tracked for real into the database: `ses_a` (read ×2, one failing), `ses_b` (grep, ended). */
  async function track(store: string): Promise<void> {
    const perf = createPerformance({ enabled: true, store, handleProcessExit: false, env: {}, logger: recordingLogger() });
    const read = perf.wrapTool(async (fail: boolean) => {
      if (fail) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return 'text';
    }, { name: 'read', sessionId: 'ses_a' });
    const grep = perf.wrapTool(async () => 'hits', { name: 'grep', sessionId: 'ses_b' });
    await read(false);
    await read(true).catch(() => undefined);
    await grep();
    await perf.endSession('ses_b');
    await perf.shutdown();
  }

  it('createPerformance({ store: url }) writes there, and createReports({ store: url }) reads it back', async () => {
    await track(url);
    const reports = createReports({ store: url, logger: recordingLogger() });
    try {
      const listed = (await reports.listSessions()).sort((x, y) => (x.sessionId < y.sessionId ? -1 : 1));
      expect(listed.map((s) => [s.sessionId, s.toolCalls, s.toolErrors, s.status])).toEqual([
        ['ses_a', 2, 1, expect.stringMatching(/active|idle/) as unknown],
        ['ses_b', 1, 0, 'ended'],
      ]);
      expect(await reports.getOperationStats({ sessionId: 'ses_a', operationType: 'tool-execution', toolName: 'read' })).toMatchObject({ count: 2, errors: 1, errorTypes: { ENOENT: 1 } });
    } finally {
      await reports.shutdown();
    }
  });

  it('$TOOLPERF_STORE selects it for a tracker, and the files stay untouched', async () => {
    const dataDir = await tempDir('toolperf-pg-selection-');
    try {
      const perf = createPerformance({ enabled: true, dataDir: dataDir.path, handleProcessExit: false, env: { TOOLPERF_STORE: url }, logger: recordingLogger() });
      await perf.wrapTool(async () => 1, { name: 'read', sessionId: 'ses_env' })();
      await perf.shutdown();
      const { stdout, code } = await runToolperf(['sessions', '--json', '--data-dir', dataDir.path], { env: { TOOLPERF_STORE: url } });
      expect(code).toBe(0);
      expect((JSON.parse(stdout) as { sessions: { sessionId: string }[] }).sessions.map((s) => s.sessionId)).toEqual(['ses_env']);
      const files = await runToolperf(['sessions', '--json', '--data-dir', dataDir.path]);
      expect(JSON.parse(files.stdout)).toEqual({ sessions: [] });
    } finally {
      await dataDir.remove();
    }
  });

  it('--store on the reading commands: sessions, report, stats, compare', async () => {
    await track(url);
    const sessions = await runToolperf(['sessions', '--store', url]);
    expect(sessions.code).toBe(0);
    expect(sessions.stdout).toContain('ses_a');
    expect(sessions.stdout).toContain('ses_b');
    const report = await runToolperf(['report', 'ses_a', '--json', '--store', url]);
    expect(JSON.parse(report.stdout)).toMatchObject({ sessionId: 'ses_a', operations: { 'tool-execution': { count: 2, errors: 1 } } });
    expect((await runToolperf(['stats', 'ses_a', '--store', url])).code).toBe(0);
    expect((await runToolperf(['compare', 'ses_a', 'ses_b', '--store', url])).code).toBe(0);
    const missing = await runToolperf(['report', 'ses_none', '--store', url.replace('postgres@', 'postgres:pw-not-shown@')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('unknown session "ses_none": no report in postgres://postgres:***@127.0.0.1');
    expect(missing.stderr).not.toContain('pw-not-shown');
  });

  it('a reading command on a database without toolperf tables says so and creates none', async () => {
    const { code, stderr } = await runToolperf(['sessions', '--store', url]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/holds no toolperf reports yet/);
    const again = await runToolperf(['sessions', '--store', url]);
    expect(again.stderr).toMatch(/holds no toolperf reports yet/);
  });

  it('--store that is no PostgreSQL URL is refused, never quoting a password', async () => {
    const { code, stderr } = await runToolperf(['sessions', '--store', 'mysql://root:hunter2@db/reports']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('--store mysql://root:***@db/reports: expected a postgres:// or postgresql:// URL');
    expect(stderr).not.toContain('hunter2');
  });

  it('serve --store refuses to start when the database cannot be reached, naming it without its password', async () => {
    const port = await freePort();
    const { code, stderr, stdout } = await runToolperf(['serve', '--port', '0', '--store', `postgres://u:hunter2@127.0.0.1:${port}/none`]);
    expect(code).not.toBe(0);
    expect(stderr).toContain(`serve: cannot open the report store postgres://u:***@127.0.0.1:${port}/none`);
    expect(stderr).not.toContain('hunter2');
    expect(stdout).not.toContain('serving');
  });

  it('serve --store serves the sessions of the database', async () => {
    await track(url);
    let served = '';
    let stop = (): void => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const run = runToolperf(['serve', '--port', '0', '--store', url], {
      untilStopped: () => stopped,
      onStdout: (out) => {
        served = out;
      },
    });
    try {
      await expect.poll(() => served, { timeout: 20_000 }).toMatch(/at (http:\/\/\S+)/);
      expect(served).toContain('serving reports from postgres://postgres@127.0.0.1');
      const base = /at (http:\/\/\S+)/.exec(served)?.[1] as string;
      const body = (await (await fetch(`${base}/api/v1/sessions`)).json()) as { sessions: { sessionId: string }[] };
      expect(body.sessions.map((s) => s.sessionId).sort()).toEqual(['ses_a', 'ses_b']);
    } finally {
      stop();
    }
    expect((await run).code).toBe(0);
  });
});
