/**
 * Figure 7: the report server over 100,000 stored sessions in PostgreSQL, side by side with the
 * file store (issue 15): the first `/api/v1/sessions` page, a session's report and the tool
 * trends under autocannon; OTLP ingest with one and with two server instances on one store; and
 * what the stores take on disk. Each instance is a report server on its own worker thread, with
 * its own store and connections. PostgreSQL 15 from Debian's packages, started for the run in a
 * temp dir (test/helpers/postgres-server.ts: fsync and synchronous_commit off).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { FileReportStore } from '../src/storage/file-store.js';
import { PostgresReportStore } from '../src/storage/postgres/postgres-store.js';
import type { ReportStore } from '../src/storage/report-store.js';
import { findPostgres, startPostgres } from '../test/helpers/postgres-server.js';
import { requireProgram } from '../test/helpers/real-component.js';
import { log } from './harness.js';
import { load, spanBodies, SPANS_PER_BODY, type Latencies } from './postgres-load.js';
import { benchReport, filesSize, postgresSize, seedFiles, seedPostgres, type PostgresSize } from './postgres-seed.js';
import { markersOf } from './section.js';
import { startServerThread, type ServerThread } from './server-thread.js';
import type { StoreServerData } from './store-server-worker.js';

export const POSTGRES_MARKERS = markersOf('postgres');
export const POSTGRES_SESSIONS = Number(process.env.TOOLPERF_BENCH_PG_SESSIONS ?? 100_000);
/** The goals of issue 15, ms. */
export const PG_GOALS = { firstPageP99: 50, reportP99: 20, trendsMs: 200 } as const;
const INGEST_SECONDS = 6;
const INGEST_CONNECTIONS = 4;
const INGEST_SESSIONS = 64;
const INGEST_BODIES = 16;

export type StoreKind = StoreServerData['kind'];

export interface QueryFigures {
  readonly kind: StoreKind;
  /** From start to the server's warm-up done (listing and tool figures loaded). */
  readonly readyMs: number;
  /** The first `GET /api/v1/sessions`, sent the moment the server listens. */
  readonly coldFirstPageMs: number;
  readonly firstPage: Latencies;
  readonly report: Latencies;
  /** The first `GET /api/v1/tools` after warm-up, then autocannon on one connection. */
  readonly trendsFirstMs: number;
  readonly trends: Latencies;
}

export interface IngestFigures {
  readonly kind: StoreKind;
  readonly instances: number;
  readonly spans: number;
  readonly seconds: number;
  readonly spansPerSecond: number;
  /** The flush after the load: what was folded but not written yet. */
  readonly flushMs: number;
  /**
   * The stored counts of the ingested sessions add up to the spans acknowledged, plus at most the
   * requests still in flight when autocannon stopped counting (folded, never counted twice).
   */
  readonly allStored: boolean;
}

export interface PostgresResult {
  readonly sessions: number;
  readonly seedSeconds: { readonly postgres: number; readonly files: number };
  readonly postgresSize: PostgresSize;
  readonly filesSize: { readonly files: number; readonly bytes: number; readonly diskBytes: number };
  readonly queries: readonly QueryFigures[];
  readonly ingest: readonly IngestFigures[];
}

const workerUrl = new URL('./store-server-worker.js', import.meta.url);
const serverOn = (kind: StoreKind, location: string): Promise<ServerThread> => startServerThread(workerUrl, { kind, location } satisfies StoreServerData);

export async function runPostgres(): Promise<PostgresResult> {
  const server = await startPostgres(requireProgram(findPostgres()));
  const dataDir = await mkdtemp(join(os.tmpdir(), 'toolperf-bench-pg-files-'));
  try {
    const url = await server.createDatabase('toolperf_bench');
    const nowMs = Date.now();
    const reportOf = (i: number) => benchReport(i, POSTGRES_SESSIONS, nowMs);
    const seedSeconds = { postgres: await seedPostgres(url, POSTGRES_SESSIONS, reportOf), files: await seedFiles(dataDir, POSTGRES_SESSIONS, reportOf) };
    log(`postgres: seeded ${POSTGRES_SESSIONS} sessions: PostgreSQL ${seedSeconds.postgres.toFixed(1)} s, files ${seedSeconds.files.toFixed(1)} s`);
    const sizes = { postgres: await postgresSize(url), files: await filesSize(dataDir) };
    const locations: Record<StoreKind, string> = { files: dataDir, postgres: url };
    const queries: QueryFigures[] = [];
    for (const kind of ['files', 'postgres'] as const) queries.push(await measureQueries(kind, locations[kind]));
    const ingest: IngestFigures[] = [];
    for (const kind of ['files', 'postgres'] as const) for (const instances of [1, 2]) ingest.push(await measureIngest(kind, locations[kind], instances));
    return { sessions: POSTGRES_SESSIONS, seedSeconds, postgresSize: sizes.postgres, filesSize: sizes.files, queries, ingest };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function getOk(url: string): Promise<void> {
  const response = await fetch(url);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${body.slice(0, 200)}`);
}

async function measureQueries(kind: StoreKind, location: string): Promise<QueryFigures> {
  const server = await serverOn(kind, location);
  try {
    const base = server.url;
    const coldFirstPageMs = await timed(() => getOk(`${base}/api/v1/sessions`));
    const readyMs = await server.readyMs;
    log(`postgres: ${kind}: first page ${coldFirstPageMs.toFixed(0)} ms cold; warm-up done after ${readyMs.toFixed(0)} ms`);
    const firstPage = await load(`${kind}: GET /api/v1/sessions`, { url: `${base}/api/v1/sessions` });
    let n = 0;
    const report = await load(`${kind}: GET /api/v1/sessions/{id}/report`, {
      url: base,
      requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/api/v1/sessions/pg_${((n++ * 7919) % POSTGRES_SESSIONS).toString().padStart(6, '0')}/report` }) }],
    });
    const trendsFirstMs = await timed(() => getOk(`${base}/api/v1/tools`));
    const trends = await load(`${kind}: GET /api/v1/tools`, { url: `${base}/api/v1/tools`, connections: 1 });
    return { kind, readyMs, coldFirstPageMs, firstPage, report, trendsFirstMs, trends };
  } finally {
    await server.close().catch(() => server.terminate());
  }
}

async function measureIngest(kind: StoreKind, location: string, instances: number): Promise<IngestFigures> {
  const { bodies, sessionIds } = await spanBodies(`ing_${kind}_${instances}_`, INGEST_BODIES, INGEST_SESSIONS);
  const servers = await Promise.all(Array.from({ length: instances }, () => serverOn(kind, location)));
  try {
    await Promise.all(servers.map((s) => s.readyMs));
    const runs = await Promise.all(
      servers.map((s, i) =>
        load(`${kind}: ingest, instance ${i + 1} of ${instances}`, {
          url: `${s.url}/v1/traces`,
          connections: INGEST_CONNECTIONS,
          duration: INGEST_SECONDS,
          requests: bodies.map((body) => ({ method: 'POST' as const, headers: { 'content-type': 'application/x-protobuf' }, body })),
        }),
      ),
    );
    const flushMs = await timed(() => Promise.all(servers.map((s) => s.flush())));
    const spans = runs.reduce((sum, r) => sum + r.requests, 0) * SPANS_PER_BODY;
    const seconds = Math.max(...runs.map((r) => r.seconds));
    const stored = await storedCalls(kind, location, sessionIds);
    log(`postgres: ${kind}, ${instances} instance(s): ${spans} spans in ${seconds.toFixed(1)} s = ${(spans / seconds).toFixed(0)} spans/s; flush ${flushMs.toFixed(0)} ms; stored ${stored}`);
    // autocannon stops counting at the deadline: up to its connections' requests were folded but not counted.
    const inFlight = instances * INGEST_CONNECTIONS * SPANS_PER_BODY;
    return { kind, instances, spans, seconds, spansPerSecond: spans / seconds, flushMs, allStored: stored >= spans && stored <= spans + inFlight };
  } finally {
    await Promise.all(servers.map((s) => s.close().catch(() => s.terminate())));
  }
}

async function storedCalls(kind: StoreKind, location: string, sessionIds: readonly string[]): Promise<number> {
  const quiet = { warn: () => {} };
  const store: ReportStore = kind === 'files' ? new FileReportStore(location, quiet, { readOnly: true }) : new PostgresReportStore(location, quiet, { readOnly: true });
  try {
    let calls = 0;
    for (const id of sessionIds) calls += (await store.get(id))?.operations['tool-execution']?.count ?? 0;
    return calls;
  } finally {
    if (store instanceof PostgresReportStore) await store.close();
  }
}
