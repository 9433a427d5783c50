import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReports, FileReportStore, REPORTS_SUBDIRECTORY } from '../../src/index.js';
import { createReportApp } from '../../src/server/index.js';
import { FileLock } from '../../src/storage/file-lock.js';
import { startFixture, waitForOutput } from '../helpers/child.js';
import { recordingLogger } from '../helpers/tracking.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-writers-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** What the data directory holds for `sessionId`, per tool. */
async function stored(sessionId: string) {
  const report = await new FileReportStore(dataDir).get(sessionId);
  const ops = report?.operations['tool-execution'];
  const tools = Object.fromEntries(Object.entries(ops?.tools ?? {}).map(([name, stats]) => [name, stats.count]));
  return { calls: ops?.count, errors: ops?.errors, tools };
}

async function finished(run: ReturnType<typeof startFixture>): Promise<void> {
  const { code, stderr } = await run.done;
  // The report server takes no OTLP metrics: the agent's metric exports answer 404 (logged).
  expect(stderr.split('\n').filter((line) => line !== '' && !/could not send metrics/.test(line))).toEqual([]);
  expect(code).toBe(0);
}

describe('two writers on one session', () => {
  it('two processes, 3,000 calls each, written every 5 ms: the stored counts are the calls made, neither lost nor doubled', async () => {
    const calls = 3000;
    const startAt = String(Date.now() + 1500);
    const writers = ['alpha', 'beta'].map((tool) => startFixture('session-writer.ts', [dataDir, 'ses_shared', tool, String(calls), '5', startAt]));
    await Promise.all(writers.map(finished));
    expect(await stored('ses_shared')).toEqual({ calls: 2 * calls, errors: (2 * calls) / 10, tools: { alpha: calls, beta: calls } });
    // No lock or temp file is left behind.
    expect((await readdir(join(dataDir, REPORTS_SUBDIRECTORY))).filter((name) => name.startsWith('.') && name !== '.store-id')).toEqual([]);
  }, 60_000);

  it('an agent that saves reports and streams OTLP to a report server on the same data directory: every call stored once', async () => {
    const reports = createReports({ dataDir, writeIntervalMs: 5, logger: recordingLogger() });
    // The report server's app, behind a counter of the span exports it answered.
    const answered: number[] = [];
    const outer = new Hono();
    outer.use('/v1/traces', async (c, next) => {
      await next();
      answered.push(c.res.status);
    });
    outer.route('/', createReportApp(reports));
    const server = serve({ fetch: outer.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const calls = 2000;
      await finished(startFixture('session-writer.ts', [dataDir, 'ses_agent', 'read', String(calls), '5', String(Date.now()), url]));
      await reports.flush();
      // The spans did reach the server, and were accepted...
      expect(answered.length).toBeGreaterThan(0);
      expect(new Set(answered)).toEqual(new Set([200]));
      // ...yet every call is stored once.
      expect(await stored('ses_agent')).toEqual({ calls, errors: calls / 10, tools: { read: calls } });
      expect((await reports.getReport({ sessionId: 'ses_agent' }))?.operations['tool-execution']?.count).toBe(calls);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await reports.shutdown();
    }
  }, 60_000);

  it('a writer killed (SIGKILL) at any point of taking, holding or releasing its lock never holds the others up', async () => {
    const path = join(dataDir, '.ses_killed.json.lock');
    for (let round = 0; round < 15; round++) {
      const run = startFixture('lock-holder.ts', [path]);
      await waitForOutput(run.output, 'ready');
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 100));
      run.child.kill('SIGKILL');
      await run.done;
      // Its lock, if it left one, names a process that no longer runs: taken over at once, well within the wait.
      const lock = await FileLock.acquire(path, { timeoutMs: 1000 });
      await lock.release();
    }
  }, 60_000);
});
