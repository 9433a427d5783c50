import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresReportStore } from '../../../src/storage/postgres/postgres-store.js';
import type { Logger } from '../../../src/util/logger.js';
import { InvalidSessionIdError } from '../../../src/util/session-id.js';
import { findPostgres, startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { requireProgram, skipUnlessAvailable } from '../../helpers/real-component.js';
import { reportOf, reportStoreContract, oneMore, toolCount } from './report-store-contract.js';

const postgres = findPostgres();

describe.skipIf(skipUnlessAvailable(postgres))('PostgresReportStore (a real PostgreSQL 15)', () => {
  let server: PostgresServer;
  let url: string;
  let opened: PostgresReportStore[] = [];
  const lines: string[] = [];
  const logger: Logger = { warn: (line) => void lines.push(line) };
  const open = (options = {}): PostgresReportStore => {
    const store = new PostgresReportStore(url, logger, options);
    opened.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await startPostgres(requireProgram(postgres));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    url = await server.createDatabase();
    lines.length = 0;
  });
  afterEach(async () => {
    await Promise.all(opened.map((store) => store.close()));
    opened = [];
  });

  describe('the store contract', () => {
    reportStoreContract(() => ({ store: open(), other: () => open() }), true);
  });

  it('migrates once when several stores start at once, and records the version', async () => {
    const stores = Array.from({ length: 5 }, () => open());
    await Promise.all(stores.map((store) => store.open()));
    const ids = new Set(stores.map((store) => store.identity()));
    expect(ids.size).toBe(1);
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT version FROM toolperf_schema_migrations ORDER BY version');
      expect(rows).toEqual([{ version: 1 }, { version: 2 }]);
    } finally {
      await client.end();
    }
  });

  it('makes the fingerprint secret once, however many stores ask at once, and hands every one the same', async () => {
    const reader = open({ readOnly: true });
    await open().open();
    await expect(reader.secret()).rejects.toThrow(/no fingerprint secret/);
    const secrets = await Promise.all(Array.from({ length: 6 }, () => open().secret()));
    expect(secrets[0]).toBeInstanceOf(Uint8Array);
    expect(secrets[0]?.length).toBe(32);
    for (const secret of secrets) expect(Buffer.from(secret).equals(Buffer.from(secrets[0] as Uint8Array))).toBe(true);
    expect(Buffer.from(await reader.secret()).equals(Buffer.from(secrets[0] as Uint8Array))).toBe(true);
    // Another database, another secret.
    url = await server.createDatabase();
    expect(Buffer.from(await open().secret()).equals(Buffer.from(secrets[0] as Uint8Array))).toBe(false);
  });

  it('read-only: refuses a database without its tables, and writes nothing', async () => {
    const reader = open({ readOnly: true });
    await expect(reader.list()).rejects.toThrow(/holds no toolperf reports yet/);
    await open().put(reportOf('a', 2));
    expect((await reader.list()).map((s) => s.sessionId)).toEqual(['a']);
    expect(() => reader.update('a', oneMore('a', 'read'))).toThrow(/read-only/);
  });

  it('refuses an unsafe session id before it reaches the database', async () => {
    await expect(open().get('../etc/passwd')).rejects.toThrow(InvalidSessionIdError);
  });

  it('never shows the password of the URL in what it says', async () => {
    const withPassword = url.replace('postgres@', 'postgres:s3cret-pw@').replace(/:\d+\//, ':1/');
    const store = new PostgresReportStore(withPassword, logger);
    opened.push(store);
    const error = await store.get('a').then(() => undefined, (e: unknown) => e);
    expect(String(error)).not.toContain('s3cret-pw');
    expect(store.description).toContain('***');
    expect(store.description).not.toContain('s3cret-pw');
  });

  it('sets a corrupt report aside and writes the session afresh', async () => {
    const store = open();
    await store.put(reportOf('a', 2));
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`UPDATE toolperf_sessions SET report = '{"schemaVersion": 2, "sessionId": "a"}' WHERE session_id = 'a'`);
      expect(await store.get('a')).toBeUndefined();
      expect(lines.join('\n')).toMatch(/corrupt report of session a .*moved to toolperf_set_aside/);
      const { rows } = await client.query('SELECT session_id FROM toolperf_set_aside');
      expect(rows).toEqual([{ session_id: 'a' }]);
    } finally {
      await client.end();
    }
    expect(toolCount(await store.update('a', oneMore('a', 'read')), 'read')).toBe(1);
  });
});
