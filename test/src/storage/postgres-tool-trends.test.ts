import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSessionReport } from '../../../src/document/report.js';
import { createReports, type Reports } from '../../../src/reports/reports.js';
import { SessionAggregate } from '../../../src/reports/session-aggregate.js';
import { foldIntoStored } from '../../../src/reports/stored-fold.js';
import { FileReportStore } from '../../../src/storage/file-store.js';
import { PostgresReportStore } from '../../../src/storage/postgres/postgres-store.js';
import { tempDir } from '../../helpers/cli.js';
import { findPostgres, startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { prng } from '../../helpers/prng.js';
import { requireProgram, skipUnlessAvailable } from '../../helpers/real-component.js';
import { recordingLogger } from '../../helpers/tracking.js';

const postgres = findPostgres();
const T0 = Date.UTC(2026, 5, 1);
const TOOLS = ['read', 'grep', 'bash', 'edit'];

/** Durations spread over three orders of magnitude, so that the merged percentiles tell a wrong merge apart. */
function randomReport(sessionId: string, random: () => number, start: number): StoredSessionReport {
  const aggregate = new SessionAggregate(sessionId, 5);
  const calls = 1 + Math.floor(random() * 30);
  for (let i = 0; i < calls; i++) {
    const tool = TOOLS[Math.floor(random() * TOOLS.length)] as string;
    aggregate.add({
      sessionId,
      operationType: random() < 0.85 ? 'tool-execution' : 'llm-call',
      toolName: tool,
      callId: undefined,
      startTimeMs: start + i * 1000,
      durationMs: Math.round(10 ** (random() * 3 + (tool === 'bash' ? 1 : 0)) * 100) / 100,
      errorType: random() < 0.1 ? (random() < 0.5 ? 'ENOENT' : 'TimeoutError') : undefined,
      traceId: undefined,
      spanId: undefined,
    });
  }
  return aggregate.toStored();
}

/**
 * Tool trends from the database's per-tool buckets against the file store's (every report's
 * sketches merged in memory) over the same sessions: the same totals, percentiles, error types
 * and trend points, after writes, rewrites and deletes.
 */
describe.skipIf(skipUnlessAvailable(postgres))('tool trends in PostgreSQL (a real PostgreSQL 15)', () => {
  let server: PostgresServer;
  let database: PostgresReportStore;
  let files: FileReportStore;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let fromDatabase: Reports;
  let fromFiles: Reports;

  async function putBoth(report: StoredSessionReport): Promise<void> {
    await database.put(report);
    await files.put(report);
  }

  beforeAll(async () => {
    server = await startPostgres(requireProgram(postgres));
    database = new PostgresReportStore(await server.createDatabase(), recordingLogger());
    dir = await tempDir('toolperf-trends-');
    files = new FileReportStore(dir.path, recordingLogger());
    const random = prng(42);
    // More than one bucket (1,024 sessions each) of sessions.
    for (let i = 0; i < 1100; i++) await putBoth(randomReport(`ses_${i}`, random, T0 + i * 60_000));
    fromDatabase = createReports({ store: database, logger: recordingLogger() });
    fromFiles = createReports({ store: files, logger: recordingLogger() });
  }, 300_000);
  afterAll(async () => {
    await fromDatabase?.shutdown();
    await fromFiles?.shutdown();
    await database?.close();
    await server?.stop();
    await dir?.remove();
  });

  it('are the trends the file store gives over the same sessions', async () => {
    const trends = await fromDatabase.listToolTrends({ sessionsPerTool: 7 });
    expect(trends.length).toBe(8);
    expect(trends).toEqual(await fromFiles.listToolTrends({ sessionsPerTool: 7 }));
    expect(trends[0]?.trend).toHaveLength(7);
  }, 120_000);

  it('follow writes to old and new sessions, a replaced report, and a deleted one', async () => {
    const random = prng(9);
    const grow = (sessionId: string) => (stored: StoredSessionReport | undefined) => {
      const delta = new SessionAggregate(sessionId, 5);
      for (let i = 0; i < 5; i++) delta.add({ sessionId, operationType: 'tool-execution', toolName: 'web_fetch', callId: undefined, startTimeMs: T0, durationMs: 900 + i, errorType: undefined, traceId: undefined, spanId: undefined });
      return foldIntoStored(stored, delta);
    };
    for (const id of ['ses_3', 'ses_1050', 'ses_new']) {
      await database.update(id, grow(id));
      await files.update(id, grow(id));
    }
    await putBoth(randomReport('ses_10', random, T0));
    await database.delete('ses_20');
    await files.delete('ses_20');
    const trends = await fromDatabase.listToolTrends({ sessionsPerTool: 5 });
    expect(trends.find((t) => t.toolName === 'web_fetch')).toMatchObject({ calls: 15, sessions: 3 });
    expect(trends).toEqual(await fromFiles.listToolTrends({ sessionsPerTool: 5 }));
  }, 120_000);

  it('a read-only store answers the same without marking or saving anything', async () => {
    await putBoth(randomReport('ses_12', prng(4), T0));
    const url = server.url(new URL(database.description).pathname.slice(1));
    const reader = new PostgresReportStore(url, recordingLogger(), { readOnly: true });
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const state = async () => (await client.query('SELECT (SELECT count(*) FROM toolperf_session_tools WHERE NOT folded) AS unfolded, (SELECT sum(version) FROM toolperf_tool_buckets) AS versions')).rows[0] as unknown;
      const before = await state();
      expect(before).toMatchObject({ unfolded: expect.not.stringMatching(/^0$/) as unknown });
      const trends = await createReports({ store: reader, logger: recordingLogger() }).listToolTrends();
      expect(await state()).toEqual(before);
      expect(trends).toEqual(await fromFiles.listToolTrends());
    } finally {
      await client.end();
      await reader.close();
    }
  }, 120_000);

  it('readers in several processes at once all answer the same', async () => {
    const others = Array.from({ length: 3 }, () => new PostgresReportStore(server.url(new URL(database.description).pathname.slice(1)), recordingLogger()));
    try {
      await database.update('ses_5', (stored) => stored && { ...stored });
      await putBoth(randomReport('ses_11', prng(3), T0));
      const answers = await Promise.all(others.map((store) => createReports({ store, logger: recordingLogger() }).listToolTrends()));
      const expected = await fromFiles.listToolTrends();
      for (const answer of answers) expect(answer).toEqual(expected);
    } finally {
      await Promise.all(others.map((store) => store.close()));
    }
  }, 120_000);
});
