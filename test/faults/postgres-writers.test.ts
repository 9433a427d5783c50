import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReports } from '../../src/index.js';
import { createReportApp } from '../../src/server/index.js';
import { PostgresReportStore } from '../../src/storage/postgres/postgres-store.js';
import { startFixture } from '../helpers/child.js';
import { findPostgres, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requireProgram, skipUnlessAvailable } from '../helpers/real-component.js';
import { recordingLogger } from '../helpers/tracking.js';

const postgres = findPostgres();

async function finished(run: ReturnType<typeof startFixture>): Promise<void> {
  const { code, stderr } = await run.done;
  // The report server takes no OTLP metrics: the agent's metric exports answer 404 (logged).
  expect(stderr.split('\n').filter((line) => line !== '' && !/could not send metrics/.test(line))).toEqual([]);
  expect(code).toBe(0);
}

/**
 * Many processes writing the same sessions into one PostgreSQL database at once, each merging its
 * delta under the row's lock: afterwards every stored count is the calls made, none lost or doubled.
 */
describe.skipIf(skipUnlessAvailable(postgres))('many writers on one PostgreSQL database (a real PostgreSQL 15)', () => {
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

  async function stored(sessionId: string) {
    const store = new PostgresReportStore(url, recordingLogger());
    try {
      const ops = (await store.get(sessionId))?.operations['tool-execution'];
      return { calls: ops?.count, errors: ops?.errors, tools: Object.fromEntries(Object.entries(ops?.tools ?? {}).map(([name, stats]) => [name, stats.count])) };
    } finally {
      await store.close();
    }
  }

  it('four processes, two sessions each shared by all, 1,500 calls per process and session, written every 5 ms: exact counts', async () => {
    const calls = 1500;
    const startAt = String(Date.now() + 2000);
    const tools = ['alpha', 'beta', 'gamma', 'delta'];
    const writers = tools.flatMap((tool) => ['ses_one', 'ses_two'].map((session) => startFixture('session-writer.ts', [url, session, tool, String(calls), '5', startAt])));
    await Promise.all(writers.map(finished));
    const expected = { calls: tools.length * calls, errors: (tools.length * calls) / 10, tools: Object.fromEntries(tools.map((tool) => [tool, calls])) };
    expect(await stored('ses_one')).toEqual(expected);
    expect(await stored('ses_two')).toEqual(expected);
  }, 120_000);

  it('an agent that writes to the database and streams OTLP to a report server on the same database: every call stored once', async () => {
    const store = new PostgresReportStore(url, recordingLogger());
    // As `toolperf serve --store` does: connected (and so knowing the database's identity) before it listens.
    await store.open();
    const reports = createReports({ store, writeIntervalMs: 5, logger: recordingLogger() });
    const http = serve({ fetch: createReportApp(reports).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => http.once('listening', resolve));
    try {
      const calls = 2000;
      const otlp = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      await finished(startFixture('session-writer.ts', [url, 'ses_agent', 'read', String(calls), '5', String(Date.now() + 500), otlp]));
      await reports.flush();
      expect(await stored('ses_agent')).toEqual({ calls, errors: calls / 10, tools: { read: calls } });
      expect((await reports.getReport({ sessionId: 'ses_agent' }))?.operations['tool-execution']?.count).toBe(calls);
    } finally {
      await new Promise((resolve) => http.close(resolve));
      await reports.shutdown();
      await store.close();
    }
  }, 120_000);
});
