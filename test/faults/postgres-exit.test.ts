import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresReportStore } from '../../src/storage/postgres/postgres-store.js';
import { startFixture, waitForOutput } from '../helpers/child.js';
import { findPostgres, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requireProgram, skipUnlessAvailable } from '../helpers/real-component.js';
import { recordingLogger } from '../helpers/tracking.js';

const postgres = findPostgres();

/**
 * A tracker on PostgreSQL at the end of its process: SIGINT, SIGTERM and `beforeExit` write every
 * open session (asynchronously: the store has no synchronous writes); `process.exit()` cannot, and
 * says so in the README: what was not written by then is lost.
 */
describe.skipIf(skipUnlessAvailable(postgres))('a tracker on PostgreSQL when its process ends (a real PostgreSQL 15)', () => {
  let server: PostgresServer;
  let url: string;

  beforeAll(async () => {
    server = await startPostgres(requireProgram(postgres));
    url = await server.createDatabase();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  async function storedCalls(sessionId: string): Promise<number | undefined> {
    const store = new PostgresReportStore(url, recordingLogger());
    try {
      return (await store.get(sessionId))?.operations['tool-execution']?.count;
    } finally {
      await store.close();
    }
  }

  it.each(['SIGINT', 'SIGTERM'] as const)('%s: writes every open session, then ends by that signal', async (signal) => {
    const run = startFixture('tracked-process.ts', [url, `ses_${signal}`, '50', 'signal']);
    await waitForOutput(run.output, 'ready');
    run.child.kill(signal);
    const finished = await run.done;
    expect(finished.signal).toBe(signal);
    expect(await storedCalls(`ses_${signal}`)).toBe(100);
  });

  it('beforeExit: a process that runs out of work writes its sessions, and is not kept alive by its connections', async () => {
    const finished = await startFixture('tracked-process.ts', [url, 'ses_be', '30', 'beforeExit']).done;
    expect(finished.code).toBe(0);
    expect(await storedCalls('ses_be')).toBe(60);
  });

  it('process.exit(): nothing asynchronous runs, so what was not written is not stored', async () => {
    const finished = await startFixture('tracked-process.ts', [url, 'ses_exit', '20', 'exit']).done;
    expect(finished.code).toBe(0);
    expect(await storedCalls('ses_exit')).toBeUndefined();
  });
});
