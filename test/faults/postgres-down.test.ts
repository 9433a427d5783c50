import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerformance, createReports } from '../../src/index.js';
import type { CallRecord } from '../../src/reports/call-record.js';
import { PostgresReportStore } from '../../src/storage/postgres/postgres-store.js';
import { findPostgres, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requireProgram, skipUnlessAvailable } from '../helpers/real-component.js';
import { recordingLogger } from '../helpers/tracking.js';

const postgres = findPostgres();

const call = (sessionId: string, i: number): CallRecord => ({
  sessionId, operationType: 'tool-execution', toolName: 'read', callId: undefined, startTimeMs: Date.now(), durationMs: 1 + (i % 5), errorType: undefined, traceId: undefined, spanId: undefined,
});

/**
 * The database goes down under running writers (the real server stopped with `pg_ctl stop -m
 * fast`, which cuts every connection) and comes back: the calls folded meanwhile wait in memory
 * and are written once it is back, exactly; the tools' callers see nothing; the failure is said
 * once, not once per session or per retry.
 */
describe.skipIf(skipUnlessAvailable(postgres))('a PostgreSQL store whose database goes down and comes back (a real PostgreSQL 15)', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres(requireProgram(postgres));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('no call lost or doubled across the outage, and the tool never noticed', async () => {
    const url = await server.createDatabase();
    const logger = recordingLogger();
    const perf = createPerformance({ enabled: true, store: url, writeIntervalMs: 20, handleProcessExit: false, env: {}, logger });
    const sessions = Array.from({ length: 30 }, (_, i) => `ses_${i}`);
    const tools = sessions.map((sessionId) => perf.wrapTool(async (i: number) => i * 2, { name: 'read', sessionId }));
    const callAll = async (times: number) => {
      for (let i = 0; i < times; i++) for (const tool of tools) expect(await tool(i)).toBe(i * 2);
    };
    try {
      await callAll(50);
      await perf.flush();
      await server.pause();
      // Calls during the outage: every result unchanged, and writes failing in the background.
      for (let round = 0; round < 5; round++) {
        await callAll(10);
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      await server.resume();
      await callAll(20);
      await expect.poll(async () => {
        await perf.flush();
        return logger.lines.filter((line) => /could not write/.test(line)).length;
      }, { timeout: 30_000 }).toBeGreaterThan(0);
      await perf.flush();
    } finally {
      await server.resume();
      await perf.shutdown();
    }
    const store = new PostgresReportStore(url, recordingLogger());
    try {
      for (const sessionId of sessions) expect((await store.get(sessionId))?.operations['tool-execution']?.tools.read?.count, sessionId).toBe(120);
    } finally {
      await store.close();
    }
    // One line for the outage, not one per session or per retry (the database's own words vary: refused, terminated, shutting down).
    expect(logger.lines.filter((line) => /could not write/.test(line)).length).toBeLessThanOrEqual(4);
  }, 120_000);

  it('past maxUnwrittenSessions waiting, the calls of failing sessions are dropped, counted and said once; the rest are written', async () => {
    const url = await server.createDatabase();
    const logger = recordingLogger();
    const reports = createReports({ store: url, writeIntervalMs: 10, maxUnwrittenSessions: 5, logger });
    try {
      reports.record(call('ses_first', 0));
      await reports.flush();
      await server.pause();
      for (let s = 0; s < 12; s++) for (let i = 0; i < 10; i++) reports.record(call(`ses_${s}`, i));
      // Several write cycles fail; the sessions past the fifth waiting are dropped.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await server.resume();
      await expect.poll(async () => {
        await reports.flush();
        return (await reports.listSessions()).length;
      }, { timeout: 30_000 }).toBeGreaterThan(1);
      await reports.flush();
    } finally {
      await server.resume();
      await reports.shutdown();
    }
    const drops = logger.lines.filter((line) => /dropping the unwritten calls/.test(line));
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatch(/at most 5 wait/);
    const store = new PostgresReportStore(url, recordingLogger());
    try {
      const counts = await Promise.all(Array.from({ length: 12 }, async (_, s) => (await store.get(`ses_${s}`))?.operations['tool-execution']?.count ?? 0));
      // Each session is whole or gone, never partly written; at most five waited.
      for (const count of counts) expect([0, 10]).toContain(count);
      const kept = counts.filter((count) => count === 10).length;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThanOrEqual(5);
    } finally {
      await store.close();
    }
  }, 120_000);
});
