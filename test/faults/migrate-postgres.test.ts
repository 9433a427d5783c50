/**
 * `toolperf migrate` with a real PostgreSQL 15 on either side: a data directory of 10,000 sessions
 * into the database and back into another directory gives the same reports, field for field; run
 * again, nothing is written; the database's password never shows; what the database cannot read
 * is set aside and named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { FileReportStore } from '../../src/storage/file-store.js';
import { PostgresReportStore } from '../../src/storage/postgres/postgres-store.js';
import { runToolperf, tempDir } from '../helpers/cli.js';
import { seedStore, sessionIdOf, variedReport } from '../helpers/many-reports.js';
import { findPostgres, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requireProgram, skipUnlessAvailable } from '../helpers/real-component.js';
import { recordingLogger } from '../helpers/tracking.js';

const postgres = findPostgres();
const SESSIONS = 10_000;

interface Account {
  total: number;
  moved: number;
  replaced: number;
  unchanged: number;
  setAside: { sessionId: string; reason: string }[];
  failed: unknown[];
}

async function migrate(from: string, to: string): Promise<Account> {
  const run = await runToolperf(['migrate', '--from', from, '--to', to, '--json', '--concurrency', '32']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Account;
}

describe.skipIf(skipUnlessAvailable(postgres))('toolperf migrate with PostgreSQL (a real PostgreSQL 15)', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres(requireProgram(postgres));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it(`a data directory of ${SESSIONS.toLocaleString('en')} sessions into PostgreSQL and back: the same reports`, { timeout: 600_000 }, async () => {
    const source = await tempDir('toolperf-migrate-pg-from-');
    const back = await tempDir('toolperf-migrate-pg-back-');
    const url = await server.createDatabase();
    try {
      await seedStore(new FileReportStore(source.path, recordingLogger()), SESSIONS);
      expect(await migrate(source.path, url)).toMatchObject({ total: SESSIONS, moved: SESSIONS, unchanged: 0, setAside: [], failed: [] });
      expect(await migrate(source.path, url)).toMatchObject({ total: SESSIONS, moved: 0, unchanged: SESSIONS });
      expect(await migrate(url, back.path)).toMatchObject({ total: SESSIONS, moved: SESSIONS, setAside: [], failed: [] });

      const original = new FileReportStore(source.path, recordingLogger(), { readOnly: true });
      const returned = new FileReportStore(back.path, recordingLogger(), { readOnly: true });
      const different: string[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        const id = sessionIdOf(i);
        const [a, b] = await Promise.all([original.get(id), returned.get(id)]);
        if (a === undefined || JSON.stringify(a) !== JSON.stringify(b)) different.push(id);
      }
      expect(different.slice(0, 5), `${different.length} reports differ`).toEqual([]);
      // Not only the same to each other: the reports that were seeded.
      expect(await returned.get(sessionIdOf(4321))).toEqual(variedReport(4321));
      expect((await returned.list()).length).toBe(SESSIONS);
    } finally {
      await source.remove();
      await back.remove();
    }
  });

  it('never prints the password, sets aside a row it cannot read, and refuses a database without reports', async () => {
    const database = await server.createDatabase();
    const withPassword = database.replace('postgres@', 'postgres:s3cret-pw@');
    const store = new PostgresReportStore(withPassword, recordingLogger());
    for (let i = 0; i < 3; i++) await store.put(variedReport(i));
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    await client.query(`UPDATE toolperf_sessions SET report = '{"schemaVersion": 2}' WHERE session_id = $1`, [sessionIdOf(1)]);
    await client.end();
    await store.close();

    const target = await tempDir('toolperf-migrate-pg-to-');
    try {
      const run = await runToolperf(['migrate', '--from', withPassword, '--to', target.path]);
      expect(run.code).toBe(1);
      expect(`${run.stdout}${run.stderr}`).not.toContain('s3cret-pw');
      expect(run.stdout).toContain(`3 sessions in ${database.replace('postgres@', 'postgres:***@')}, copied to ${target.path}:`);
      expect(run.stdout).toMatch(new RegExp(`set aside +1:\\n +${sessionIdOf(1)} +corrupt report`));
      expect(run.stdout).toContain('  moved       2\n');
      // Read-only: the unreadable row is still there, as it was.
      const check = new pg.Client({ connectionString: database });
      await check.connect();
      const { rows } = await check.query<{ report: unknown }>('SELECT report FROM toolperf_sessions WHERE session_id = $1', [sessionIdOf(1)]);
      await check.end();
      expect(rows[0]?.report).toEqual({ schemaVersion: 2 });

      const empty = (await server.createDatabase()).replace('postgres@', 'postgres:s3cret-pw@');
      const refused = await runToolperf(['migrate', '--from', empty, '--to', target.path]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('holds no toolperf reports yet');
      expect(refused.stderr).not.toContain('s3cret-pw');
      const bad = await runToolperf(['migrate', '--from', 'postgres://', '--to', target.path]);
      expect(bad.stderr).toContain('not a usable PostgreSQL URL');
    } finally {
      await target.remove();
    }
  });
});
