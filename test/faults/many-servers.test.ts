/**
 * Two `toolperf serve` processes on one store, fed the same sessions' spans over OTLP at once
 * (each span to one of them at random), with and without a tracked process writing the same
 * sessions straight into the store beside them, and with one of them SIGKILLed mid-load: every
 * call acknowledged is stored once (never twice), or, for the killed one, lost only if it came in
 * its last write interval; every stored report adds up.
 *
 * TOOLPERF_LOAD_SECONDS sets how long the load runs (default 6; the issue's 30 s run is recorded
 * in BENCHMARKS.md).
 */
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReportStore } from '../../src/storage/file-store.js';
import { PostgresReportStore } from '../../src/storage/postgres/postgres-store.js';
import type { ReportStore } from '../../src/storage/report-store.js';
import { startFixture } from '../helpers/child.js';
import { tempDir } from '../helpers/cli.js';
import { ackedPerSession, sendSpans, type SpanLoad } from '../helpers/otlp-span-load.js';
import { reportProblem, sharedSessionId, type SharedStore } from '../helpers/shared-store.js';
import { findPostgres, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requireProgram, skipUnlessAvailable } from '../helpers/real-component.js';
import { startServeWith, type ServeProcess } from '../helpers/toolperf-process.js';
import { recordingLogger } from '../helpers/tracking.js';

const SESSIONS = 1_000;
const LOAD_MS = Number(process.env.TOOLPERF_LOAD_SECONDS ?? 6) * 1_000;
const WRITE_INTERVAL_MS = 500;
/**
 * What a SIGKILLed instance may lose: the calls it acknowledged since its last write began, so at
 * most a write interval plus the time one round of writes (every session of the 1,000 changed
 * since the last) takes: up to ~2.2 s measured for the files on 2 shared cores, so 4 s.
 */
const LOSS_WINDOW_MS = WRITE_INTERVAL_MS + 4_000;
const SESSION_IDS = Array.from({ length: SESSIONS }, (_, i) => sharedSessionId(i));
const TIMEOUT_MS = LOAD_MS + 120_000;

interface StoreUnderTest {
  readonly store: SharedStore;
  close(): Promise<void>;
}

async function fileStore(): Promise<StoreUnderTest> {
  const dir = await tempDir('toolperf-many-servers-');
  return {
    store: { name: 'files', serveArgs: ['--data-dir', dir.path], location: dir.path, open: () => new FileReportStore(dir.path, recordingLogger(), { readOnly: true }) },
    close: dir.remove,
  };
}

const postgres = findPostgres();
let postgresServer: Promise<PostgresServer> | undefined;
afterAll(async () => {
  await (await postgresServer)?.stop();
}, 60_000);

/** A new database on one PostgreSQL 15 for the whole file, started when first needed. */
async function postgresStore(): Promise<StoreUnderTest> {
  postgresServer ??= startPostgres(requireProgram(postgres));
  const url = await (await postgresServer).createDatabase();
  const readers: PostgresReportStore[] = [];
  return {
    store: {
      name: 'PostgreSQL',
      serveArgs: ['--store', url],
      location: url,
      open: () => {
        const reader = new PostgresReportStore(url, recordingLogger(), { readOnly: true });
        readers.push(reader);
        return reader;
      },
    },
    close: async () => {
      await Promise.all(readers.map((reader) => reader.close()));
    },
  };
}

const STORES: readonly (readonly [string, () => Promise<StoreUnderTest>])[] = [
  ['files', fileStore],
  ...(skipUnlessAvailable(postgres) ? [] : [['PostgreSQL', postgresStore] as const]),
];

describe.each(STORES)('two serve instances on one store (%s)', (_name, openStore) => {
  let underTest: StoreUnderTest;
  let servers: ServeProcess[] = [];
  beforeEach(async () => {
    underTest = await openStore();
    const env = { TOOLPERF_WRITE_INTERVAL_MS: String(WRITE_INTERVAL_MS) };
    // In a directory of the test's (no ./toolperf.json of the repository's can be picked up).
    servers = await Promise.all([0, 1].map(() => startServeWith(underTest.store.serveArgs, { cwd: tmpdir(), env })));
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await underTest.close();
  });

  async function storedCounts(store: ReportStore): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const problems: string[] = [];
    for (const sessionId of SESSION_IDS) {
      const report = await store.get(sessionId);
      if (report === undefined) continue;
      const problem = reportProblem(report);
      if (problem !== undefined) problems.push(`${sessionId}: ${problem}`);
      counts.set(sessionId, report.operations['tool-execution']?.count ?? 0);
    }
    expect(problems, 'reports that do not add up').toEqual([]);
    return counts;
  }

  /** Stored against expected, session by session: the first few that differ. */
  function expectCounts(stored: Map<string, number>, expected: Map<string, number>): void {
    const differ = SESSION_IDS.filter((id) => stored.get(id) !== expected.get(id)).map((id) => `${id}: stored ${stored.get(id)}, expected ${expected.get(id)}`);
    expect(differ.slice(0, 8), `${differ.length} sessions differ`).toEqual([]);
  }

  /** Stops both with SIGINT: each must write what it folded and end by itself (not SIGKILLed at the timeout), saying nothing. */
  async function stopAll(which: readonly ServeProcess[] = servers): Promise<void> {
    const t0 = Date.now();
    const ends = await Promise.all(which.map((s) => s.stop(60_000)));
    console.log(`[many-servers ${underTest.store.name}] ${which.length} instance(s) stopped (last writes included) in ${Date.now() - t0} ms`);
    for (const end of ends) expect({ killed: end.killed, code: end.code, stderr: end.stderr }).toEqual({ killed: false, code: 0, stderr: '' });
  }

  function expectNoFailures(load: SpanLoad): void {
    const spans = [0, 1].map((target) => load.acked.filter((r) => r.target === target).reduce((sum, r) => sum + [...r.perSession.values()].reduce((a, b) => a + b, 0), 0));
    console.log(`[many-servers ${underTest.store.name}] ${spans[0]! + spans[1]!} spans acknowledged over ${LOAD_MS / 1000} s (${spans.join(' + ')} by the two instances)`);
    expect(load.failed.slice(0, 5), `${load.failed.length} requests failed`).toEqual([]);
    expect(load.acked.length).toBeGreaterThan(0);
    expect(new Set(load.acked.map((r) => r.target))).toEqual(new Set([0, 1]));
  }

  it('fed the same sessions at once, they store every span acknowledged, once', { timeout: TIMEOUT_MS }, async () => {
    const load = await sendSpans({ targets: servers.map((s) => s.url), sessionIds: SESSION_IDS, until: Date.now() + LOAD_MS });
    await stopAll();
    expectNoFailures(load);
    const expected = ackedPerSession(load);
    expect(expected.size).toBe(SESSIONS);
    expectCounts(await storedCounts(underTest.store.open()), expected);
  });

  it('with a tracked process writing the same sessions straight into the store beside them', { timeout: TIMEOUT_MS }, async () => {
    const tracker = startFixture('store-tracker.ts', [underTest.store.location, String(SESSIONS), String(LOAD_MS), String(WRITE_INTERVAL_MS)]);
    const load = await sendSpans({ targets: servers.map((s) => s.url), sessionIds: SESSION_IDS, until: Date.now() + LOAD_MS });
    const tracked = await tracker.done;
    expect(tracked.code, tracked.stderr).toBe(0);
    await stopAll();
    expectNoFailures(load);
    const expected = ackedPerSession(load);
    const trackerCalls = JSON.parse(tracked.stdout.trim().split('\n').at(-1) as string) as Record<string, number>;
    expect(Object.values(trackerCalls).reduce((s, n) => s + n, 0)).toBeGreaterThan(1_000);
    for (const [sessionId, n] of Object.entries(trackerCalls)) expected.set(sessionId, (expected.get(sessionId) ?? 0) + n);
    expectCounts(await storedCounts(underTest.store.open()), expected);
  });

  it('one SIGKILLed mid-load loses at most its last write interval, no report is torn, and the other keeps serving', { timeout: TIMEOUT_MS }, async () => {
    const [victim, survivor] = servers as [ServeProcess, ServeProcess];
    let killedAt = 0;
    const killing = new Promise<void>((resolve) =>
      setTimeout(() => {
        killedAt = Date.now();
        void victim.kill().then(() => resolve());
      }, LOAD_MS / 2),
    );
    const load = await sendSpans({ targets: servers.map((s) => s.url), sessionIds: SESSION_IDS, until: Date.now() + LOAD_MS, failover: true });
    await killing;
    // The survivor answered everything, during and after the kill, and still answers the API.
    expect(load.failed.filter((f) => f.target === 1)).toEqual([]);
    expect(load.acked.filter((r) => r.target === 1 && r.ackedAt > killedAt + 500).length).toBeGreaterThan(0);
    expect((await fetch(`${survivor.url}/api/v1/sessions?limit=5`)).status).toBe(200);
    await stopAll([survivor]);

    const stored = await storedCounts(underTest.store.open());
    const acked = ackedPerSession(load);
    const doubled = SESSION_IDS.filter((id) => (stored.get(id) ?? 0) > (acked.get(id) ?? 0));
    expect(doubled, 'sessions with more calls stored than acknowledged').toEqual([]);
    // The shortest time before the kill whose acknowledgements by the killed one explain every loss.
    const lossWindow = (ms: number) => {
      const mayLose = ackedPerSession(load, (r) => r.target === 0 && r.ackedAt > killedAt - ms);
      return SESSION_IDS.every((id) => (stored.get(id) ?? 0) >= (acked.get(id) ?? 0) - (mayLose.get(id) ?? 0));
    };
    let needed = 0;
    while (!lossWindow(needed) && needed < LOAD_MS) needed += 100;
    const total = (counts: Map<string, number>) => [...counts.values()].reduce((s, n) => s + n, 0);
    console.log(`[many-servers ${underTest.store.name}] SIGKILL: ${total(acked) - total(stored)} of ${total(acked)} acknowledged spans lost, all acknowledged by the killed instance in its last ${needed} ms (bound ${LOSS_WINDOW_MS} ms)`);
    expect(needed).toBeLessThanOrEqual(LOSS_WINDOW_MS);
  });
});
