/**
 * Figure 4: the report server under load (issue #4, "Tested for real"): `startReportServer` over
 * 10,000 stored sessions in a file store, driven over loopback by autocannon.
 *
 * The sessions are seeded with the real `FileReportStore.put`, from reports made by really tracked
 * calls in a few template sessions, cloned with new ids and times. OTLP ingest gets protobuf bodies
 * built once with the real `ProtobufTraceSerializer` from real SDK spans, and the reports are
 * counted afterwards to show that every span was folded.
 */
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileReportStore } from '../src/storage/file-store.js';
import { InMemoryReportStore } from '../src/storage/memory-store.js';
import { createPerformance } from '../src/performance.js';
import type { SessionReport, StoredSessionReport } from '../src/document/report.js';
import { log, median } from './harness.js';
import { load, type LoadFigures } from './http-load.js';
import { measureIngestDecode, type IngestDecodeResult } from './ingest-decode.js';
import { driveIngest, ingestBodies } from './ingest-load.js';
import { ingestSideBySide } from './ingest-section.js';
import { figure as ms, markdownTable, markersOf, measuredBy, type RunInfo } from './section.js';
import { startServerThread } from './server-thread.js';
import { prng } from '../test/helpers/prng.js';

const SESSIONS = 10_000;
/** Tracked calls per template session, and how many of the tools each uses: reports of ~5 to ~50 KB. */
const TEMPLATE_CALLS = [6, 12, 20, 30, 40, 50, 60, 75];
const TEMPLATE_TOOLS = [2, 3, 4, 5, 6, 7, 8, 8];
const TOOLS = ['read', 'write', 'edit', 'grep', 'glob', 'bash', 'webfetch', 'task'];
/** Stored sessions spread over this many days before now. */
const SPREAD_DAYS = 30;
const SEED_CONCURRENCY = 32;
const CONNECTIONS = 10;
const DURATION_S = 6;
const LOAD = { connections: CONNECTIONS, duration: DURATION_S } as const;
/** Also sizes the measured run (a fixed amount of requests, ~DURATION_S long at the warm-up's rate). */
const INGEST_WARMUP_REQUESTS = 120;
/** Where the deeper listing page starts: this many sessions down the list. */
const DEEP_POSITION = 5_000;

export interface ReportServerResult {
  readonly sessions: number;
  readonly templates: number;
  readonly templateCalls: readonly number[];
  /** Sizes of the stored report files, bytes. */
  readonly reportBytes: { readonly min: number; readonly median: number; readonly max: number; readonly total: number };
  readonly seedSeconds: number;
  readonly connections: number;
  readonly durationSeconds: number;
  /** The first `GET /api/v1/sessions` after the server started: a full scan (page cache warm: the files were just written). */
  readonly coldListMs: number;
  /** From `startReportServer` to its `ready` (listing and tool trends warmed in the background). */
  readonly readyMs: number;
  /** The next few single listings, one at a time: the digest cache answering. */
  readonly warmListMs: number;
  /** The first report fetched, and the median of the next 20 (one at a time, no load). */
  readonly firstReportMs: number;
  readonly singleReportMs: number;
  readonly report: LoadFigures;
  readonly list: LoadFigures;
  readonly listDeep: LoadFigures;
  readonly deepPosition: number;
  /** Sessions seen walking the whole list with `cursor` at limit 500, and whether they were all distinct, newest first. */
  readonly walkedSessions: number;
  readonly walkOrdered: boolean;
  readonly ingest: LoadFigures & {
    readonly spansPerRequest: number;
    readonly spansPerSecond: number;
    readonly bodies: number;
    readonly bodyBytes: number;
    readonly sessions: number;
    readonly sessionsPerBody: number;
    /** Requests sent before the measured run (one by fetch, to read the answer, plus the warm-up). */
    readonly warmupRequests: number;
    /** Spans the reports counted afterwards, and spans sent in accepted requests. */
    readonly folded: number;
    readonly sent: number;
    /** `partialSuccess.rejectedSpans` of the one answer decoded. */
    readonly rejectedSpans: number;
  };
  /** The same bodies decoded by protobufjs and by ingest's reader, on one thread (after the HTTP run). */
  readonly ingestDecode: IngestDecodeResult;
  /** The first listing after the ingest run (which wrote 64 new reports, changing the directory). */
  readonly listAfterIngestMs: number;
  readonly loggedWarnings: number;
  /** The server thread's V8 heap in use at the end. */
  readonly serverHeapMiB: number;
  /** The whole process (server thread, autocannon, seeding leftovers). */
  readonly rssMiB: number;
}

// ---------------------------------------------------------------------------------------------
// Seeding

/** A few sessions of really tracked calls: async tools with 0–4 ms waits, sync ones, ~4% errors. */
async function templateReports(): Promise<StoredSessionReport[]> {
  const store = new InMemoryReportStore();
  const perf = createPerformance({ enabled: true, store, handleProcessExit: false, env: {} });
  const rnd = prng(11);
  const ids = TEMPLATE_CALLS.map((_, t) => `tpl_${t}`);
  await Promise.all(
    TEMPLATE_CALLS.map(async (calls, t) => {
      const sessionId = ids[t] as string;
      const fail = (name: string): never => {
        throw Object.assign(new Error(`${name} failed`), { code: rnd() < 0.5 ? 'ENOENT' : 'ETIMEDOUT' });
      };
      const slow = async (name: string, ms: number): Promise<string> => {
        await sleep(ms);
        if (rnd() < 0.04) fail(name);
        return name;
      };
      const tools = perf.wrapTools(
        {
          read: (ms: number) => slow('read', ms),
          write: (ms: number) => slow('write', ms),
          edit: (ms: number) => slow('edit', ms),
          bash: (ms: number) => slow('bash', ms * 4),
          webfetch: (ms: number) => slow('webfetch', ms * 3),
          task: (ms: number) => slow('task', ms * 5),
          grep: (n: number) => (rnd() < 0.04 ? fail('grep') : String(n).repeat(3)),
          glob: (n: number) => (rnd() < 0.04 ? fail('glob') : [String(n)]),
        },
        { sessionId },
      );
      const used = TEMPLATE_TOOLS[t] ?? TOOLS.length;
      for (let i = 0; i < calls; i++) {
        const name = TOOLS[Math.floor(rnd() * used)] as keyof typeof tools;
        try {
          await tools[name](Math.floor(rnd() * 4));
        } catch {
          // counted as an error in the report
        }
      }
      await perf.endSession(sessionId);
    }),
  );
  const reports: StoredSessionReport[] = [];
  for (const id of ids) {
    const report = await store.get(id);
    if (report === undefined) throw new Error(`template ${id} was not stored`);
    reports.push(report);
  }
  await perf.shutdown();
  return reports;
}

function shiftIso(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** The template under a new id, moved in time so that it started at `startMs`. */
function cloneReport(template: StoredSessionReport, sessionId: string, startMs: number): StoredSessionReport {
  const shift = startMs - Date.parse(template.startedAt);
  return {
    ...template,
    sessionId,
    startedAt: shiftIso(template.startedAt, shift),
    updatedAt: shiftIso(template.updatedAt, shift),
    ...(template.endedAt !== undefined ? { endedAt: shiftIso(template.endedAt, shift) } : {}),
    recent: template.recent.map((call) => ({ ...call, startedAt: shiftIso(call.startedAt, shift) })),
  };
}

function sessionIdOf(i: number): string {
  return `ses_${i.toString(36).padStart(4, '0')}_bench`;
}

async function seed(dataDir: string, templates: readonly StoredSessionReport[]): Promise<number[]> {
  const store = new FileReportStore(dataDir, { warn: (message) => log(`report-server: seeding: ${message}`) });
  const rnd = prng(23);
  const now = Date.now();
  const step = (SPREAD_DAYS * 86_400_000) / SESSIONS;
  const sizes: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < SESSIONS; i = next++) {
      const template = templates[i % templates.length] as StoredSessionReport;
      const start = now - SPREAD_DAYS * 86_400_000 + i * step + rnd() * step;
      const report = cloneReport(template, sessionIdOf(i), Math.round(start));
      await store.put(report);
      sizes.push((await lstat(store.pathOf(report.sessionId))).size);
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  return sizes;
}

// ---------------------------------------------------------------------------------------------
// Load

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface SessionPageBody {
  readonly sessions: readonly { readonly sessionId: string; readonly updatedAt: string; readonly calls: number }[];
  readonly nextCursor?: string;
}

export async function runReportServer(): Promise<ReportServerResult> {
  const dataDir = await mkdtemp(join(os.tmpdir(), 'toolperf-bench-server-'));
  try {
    return await runIn(dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function runIn(dataDir: string): Promise<ReportServerResult> {
  const seedStarted = process.hrtime.bigint();
  const templates = await templateReports();
  const sizes = await seed(dataDir, templates);
  const seedSeconds = Number(process.hrtime.bigint() - seedStarted) / 1e9;
  const sortedSizes = [...sizes].sort((a, b) => a - b);
  log(
    `report-server: seeded ${SESSIONS} sessions from ${templates.length} templates in ${seedSeconds.toFixed(1)} s ` +
      `(${(sortedSizes[0] ?? 0) / 1024 | 0}–${(sortedSizes.at(-1) ?? 0) / 1024 | 0} KiB a report)`,
  );
  const ingestSet = await ingestBodies();

  const server = await startServerThread(new URL('./report-server-worker.js', import.meta.url), { dataDir });
  try {
    const base = server.url;

    // Cold: the digest cache is empty, so the first listing scans and reads every file (sharing
    // the scan the server's own warm-up started). The warm figures wait for the whole warm-up.
    const cold = await timed(() => getJson<SessionPageBody>(`${base}/api/v1/sessions`));
    const readyMs = await server.readyMs;
    log(`report-server: warm-up (listing and tool figures) done ${readyMs.toFixed(0)} ms after start`);
    const warmTimes: number[] = [];
    for (let k = 0; k < 9; k++) warmTimes.push((await timed(() => getJson<SessionPageBody>(`${base}/api/v1/sessions`))).ms);
    log(`report-server: first listing ${cold.ms.toFixed(0)} ms, then ${median(warmTimes).toFixed(1)} ms (median of 9)`);

    const ids = Array.from({ length: SESSIONS }, (_, i) => sessionIdOf(i));
    const firstReport = await timed(() => getJson<SessionReport>(`${base}/api/v1/sessions/${ids[1234] as string}/report`));
    if (firstReport.value.sessionId !== ids[1234]) throw new Error('the report route answered for another session');
    const reportTimes: number[] = [];
    for (let k = 0; k < 21; k++) reportTimes.push((await timed(() => getJson<SessionReport>(`${base}/api/v1/sessions/${ids[(k * 479) % SESSIONS] as string}/report`))).ms);

    // The whole list by cursor: every session once, newest first; the cursor DEEP_POSITION down kept.
    let cursor: string | undefined;
    let deepCursor: string | undefined;
    let walked = 0;
    let ordered = true;
    let previous: { updatedAt: string; sessionId: string } | undefined;
    const seen = new Set<string>();
    do {
      const page: SessionPageBody = await getJson<SessionPageBody>(`${base}/api/v1/sessions?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      for (const s of page.sessions) {
        if (previous && previous.updatedAt < s.updatedAt) ordered = false;
        if (seen.has(s.sessionId)) ordered = false;
        seen.add(s.sessionId);
        previous = s;
      }
      walked += page.sessions.length;
      cursor = page.nextCursor;
      if (walked === DEEP_POSITION) deepCursor = cursor;
    } while (cursor !== undefined);
    if (walked !== SESSIONS || deepCursor === undefined) throw new Error(`walked ${walked} sessions, expected ${SESSIONS}`);

    const rnd = prng(5);
    const report = await load('report-server: GET /api/v1/sessions/:id/report, random ids', {
      ...LOAD,
      url: base,
      requests: [
        {
          method: 'GET',
          setupRequest: (request) => ({ ...request, path: `/api/v1/sessions/${ids[Math.floor(rnd() * SESSIONS)] as string}/report` }),
        },
      ],
    });
    const list = await load('report-server: GET /api/v1/sessions', { ...LOAD, url: `${base}/api/v1/sessions` });
    const listDeep = await load(`report-server: GET /api/v1/sessions?cursor=… (${DEEP_POSITION} down)`, { ...LOAD, url: `${base}/api/v1/sessions?cursor=${deepCursor}` });

    // OTLP ingest: a fixed amount of requests, so that exactly those were accepted and can be counted in the reports.
    const ingest = await driveIngest(base, ingestSet, { connections: CONNECTIONS, warmupRequests: INGEST_WARMUP_REQUESTS, seconds: DURATION_S, label: 'report-server' });
    await server.flush();
    let folded = 0;
    for (const id of ingestSet.sessionIds) {
      const r = await getJson<SessionReport>(`${base}/api/v1/sessions/${id}/report`);
      folded += r.operations['tool-execution']?.count ?? 0;
    }
    log(`report-server: ingest ${ingest.spansPerSecond.toFixed(0)} spans/s; reports count ${folded} spans, ${ingest.sent} sent`);

    const afterIngest = await timed(() => getJson<SessionPageBody>(`${base}/api/v1/sessions`));
    const rssMiB = process.memoryUsage().rss / 2 ** 20;
    const closed = await server.close();
    if (closed.warnings.length > 0) log(`report-server: the server logged ${closed.warnings.length} warnings, the first: ${closed.warnings[0] as string}`);
    const ingestDecode = await measureIngestDecode(ingestSet);
    log(`report-server: the same bodies on one thread: protobufjs ${(1e9 / ingestDecode.protobufjs.median).toFixed(0)} spans/s, reader ${(1e9 / ingestDecode.reader.median).toFixed(0)}, mapped ${(1e9 / ingestDecode.mapped.median).toFixed(0)}, folded ${(1e9 / ingestDecode.folded.median).toFixed(0)}`);

    return {
      sessions: SESSIONS,
      templates: templates.length,
      templateCalls: TEMPLATE_CALLS,
      reportBytes: { min: sortedSizes[0] ?? 0, median: median(sortedSizes), max: sortedSizes.at(-1) ?? 0, total: sizes.reduce((s, x) => s + x, 0) },
      seedSeconds,
      connections: CONNECTIONS,
      durationSeconds: DURATION_S,
      coldListMs: cold.ms,
      readyMs,
      warmListMs: median(warmTimes),
      firstReportMs: firstReport.ms,
      singleReportMs: median(reportTimes.slice(1)),
      report,
      list,
      listDeep,
      deepPosition: DEEP_POSITION,
      walkedSessions: walked,
      walkOrdered: ordered && seen.size === SESSIONS,
      ingest: {
        ...ingest.load,
        spansPerRequest: ingestSet.spansPerBody,
        spansPerSecond: ingest.spansPerSecond,
        bodies: ingestSet.bodies.length,
        bodyBytes: median(ingestSet.bodies.map((b) => b.length)),
        sessions: ingestSet.sessionIds.length,
        sessionsPerBody: ingestSet.sessionsPerBody,
        warmupRequests: ingest.warmupRequests,
        folded,
        sent: ingest.sent,
        rejectedSpans: ingest.rejectedSpans,
      },
      ingestDecode,
      listAfterIngestMs: afterIngest.ms,
      loggedWarnings: closed.warnings.length,
      serverHeapMiB: closed.heapUsedMiB,
      rssMiB,
    };
  } finally {
    server.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// BENCHMARKS.md

/** How and where the figures were taken; `--only report-server` writes this section alone. */
export const REPORT_SERVER_MARKERS = markersOf('report-server');

function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function row(route: string, f: LoadFigures): string[] {
  return [route, `**${ms(f.p99)}**`, ms(f.p50), ms(f.p90), ms(f.max), int(f.requestsPerSecond), int(f.requests), kib(f.bytesPerResponse)];
}

/** The `## 4.` section of BENCHMARKS.md, between markers so that `--only report-server` can replace it. */
export function reportServerSection(r: ReportServerResult, run: RunInfo): string {
  const i = r.ingest;
  const checks = [
    `listing: walking the whole list with \`cursor\` at \`limit=500\` gave ${int(r.walkedSessions)} sessions (${r.walkedSessions === r.sessions ? 'all' : '**not all**'} of ${int(r.sessions)}), each once, newest first: ${String(r.walkOrdered)}.`,
    `ingest: the reports of the ${i.sessions} ingest sessions count **${int(i.folded)} spans**; ${int(i.sent)} were sent in accepted requests (${i.folded === i.sent ? 'equal' : '**differ**'}); the decoded answer rejected ${i.rejectedSpans} spans.`,
    `no non-2xx answers and no socket errors in any run (a run with any would have failed the benchmark); the server logged ${r.loggedWarnings} warnings.`,
    `checksum ${run.checksum}; at the end the server thread's heap held ${r.serverHeapMiB.toFixed(0)} MiB after forced GC (the digests of ${int(r.sessions)} sessions and the ${i.sessions} live ingest sessions), the whole process ${r.rssMiB.toFixed(0)} MiB resident.`,
  ];
  return `${REPORT_SERVER_MARKERS.begin}
## 4. Report server under load

${measuredBy(run)}

\`startReportServer({ api, ingest, port: 0, dashboard: false })\` over a \`FileReportStore\` holding **${int(r.sessions)} sessions**
(${kib(r.reportBytes.min)} – ${kib(r.reportBytes.max)} a report file, median ${kib(r.reportBytes.median)}, ${(r.reportBytes.total / 2 ** 20).toFixed(0)} MiB in all),
driven over loopback by autocannon with ${r.connections} connections for ${r.durationSeconds} s a case. The server runs on a worker thread (its own
event loop), autocannon on the main thread of the same process: client and server share the machine's cores. Latency in ms, of the 2xx answers, from autocannon's per-response time
(its own histogram has whole-millisecond steps; its p99s were ${ms(r.report.autocannonP99)}, ${ms(r.list.autocannonP99)}, ${ms(r.listDeep.autocannonP99)} and ${ms(i.autocannonP99)}).

${markdownTable([
    ['route', 'p99', 'p50', 'p90', 'max', 'req/s', 'requests', 'answer body'],
    row('`GET /api/v1/sessions/:id/report`, random ids of the 10,000', r.report),
    row('`GET /api/v1/sessions` (first page, 50)', r.list),
    row(`\`GET /api/v1/sessions?cursor=…\` (50, from ${int(r.deepPosition)} down)`, r.listDeep),
    row(`\`POST /v1/traces\`, protobuf, ${i.spansPerRequest} spans a request`, i),
  ])}

**OTLP ingest: ${int(i.spansPerSecond)} spans/s** (${ms(i.requestsPerSecond)} requests/s × ${i.spansPerRequest} spans; ${int(i.requests)} requests after ${i.warmupRequests} warm-up ones).
The bodies were built once with the real \`ProtobufTraceSerializer\` of \`@opentelemetry/otlp-transformer\` from SDK spans
with this package's attributes (${i.bodies} bodies of ~${kib(i.bodyBytes)}, each spread over ${i.sessionsPerBody} of ${i.sessions} sessions) and sent round-robin;
the figure includes decoding, folding into the reports, and the debounced report writes (each dirty session once a second, fsync'ed) that ran meanwhile.

Side by side, in the same run, the same bodies on one thread without HTTP (\`bench/ingest-decode.ts\`)${sharedNote(run)}:

${ingestSideBySide(i.spansPerSecond, r.ingestDecode)}

**First listing after start (cold): ${ms(r.coldListMs)} ms** for \`GET /api/v1/sessions\`, and the server's own warm-up (the listing, then the
tools' figures merged from every stored sketch, in the background while it serves) was done ${ms(r.readyMs)} ms after start; the figures above were
taken after it. The digest cache (\`src/storage/file-digest-cache.ts\`) starts empty,
so this one request opens all ${int(r.sessions)} files and reads the first line of each (the digest written with the report). The OS page cache was warm (the files had just been written), so a
cold disk adds its read time on top. After it, a single listing takes ${ms(r.warmListMs)} ms (median of 9, one at a time), which is what the
warm figures above are made of. The first listing after the ingest run wrote ${i.sessions} new report files took ${ms(r.listAfterIngestMs)} ms (the directory changed, so every file is stat'ed again, and the new ones read).
A single report, one request at a time: ${ms(r.firstReportMs)} ms the first, ${ms(r.singleReportMs)} ms the median of the next 20.

What a CPU profile of the server thread (\`--cpu-prof\`, taken by hand; not re-taken by each run) showed, and what was changed:
- Listing was bound by \`SessionRegistry.listSessions\` (~90% of the thread): every page rebuilt and sorted all 10,000 summaries. The
  registry now keeps the sorted list while the store hands out the same digests (no report changed) and merges the few live
  sessions in, so a page is a merge and a slice: \`GET /api/v1/sessions\` went from p99 124 ms / 141 req/s to the figures above.
- Under ingest, the once-a-second write of the dirty sessions (\`toStored\` and \`JSON.stringify\` of reports with 1,000 recent calls) ran for all
  of them at once and held the thread for a few hundred ms: it now runs 4 at a time, which took the ingest p99 from 501 ms
  (33,730 spans/s) to 142 ms (51,710 spans/s).
- Ingest, again (issue #15; \`node --cpu-prof\` of the server on the main thread of one process, the same bodies sent by autocannon
  from another; machine shared with other work, load average 4–16). Of the server thread's busy time, before: decoding 31%
  (protobufjs into message objects 20%, of which turning fixed64 times into strings through \`Long\` 5.5%; then a plain object of
  every attribute per record 9%), the debounced writes 26%, garbage collection 16%, mapping and folding 8%, HTTP 4%.
  Decoding now reads only what a call needs (\`src/server/otlp-ingest/proto-record.ts\`): one walk over each record's fields, times
  from the fixed64's halves (exact to the µs, no BigInt), events read only when a span has some, other fields skipped by wire type;
  attributes stay in the bytes, indexed once per request (\`proto-attributes.ts\`), a value decoded only when a source asks for its
  key (compared as bytes); resource and scope once per block. A first version that walked the wire for every key asked spent 19%
  in lookups; the index took that to ~3%. Keeping the strings that repeat in every record (session IDs, tool names) in a table, to
  hand them out again, measured slower than making them (hashing and comparing the bytes cost more), and was left out. After: decoding 6%, mapping and folding 16%, garbage collection 14%, HTTP 5%, the
  writes 43%, and the thread was idle 40% of the run (the client and the other work on the machine were the limit).
- The writes, then: each busy session's write formatted its 1,000 recent calls' start times with \`toISOString\` and parsed and
  sorted 2,000 dates to merge them with the stored ones; times are now formatted by arithmetic (\`src/util/iso-time.ts\`) and the
  two lists, nearly always in order, merged from the end, each stored date parsed once (\`stored-fold.ts\`). Decoding, mapping and
  folding into an in-memory store in a loop (no HTTP) went from 31k to 94k spans/s with the writes (85k to 129k without them) on
  the same busy machine. What a write still costs is the report's JSON (a line per recent call: ~1,000 per busy session a second)
  and its file I/O: at 64 sessions this is a fixed ~0.2–0.3 s of the thread per second, whatever the span rate.

Seeding (not timed in the figures): ${r.templates} template sessions of ${r.templateCalls.join(', ')} really tracked calls to 2 to 8 tools (\`wrapTools\`, async tools waiting 0–15 ms and
sync ones, ~4% errors), each stored report cloned with a new id and moved in time over the last 30 days, written with \`FileReportStore.put\`
(${r.seedSeconds.toFixed(1)} s for all, ${SEED_CONCURRENCY} writes in flight).

Checks:

${checks.map((c) => `- ${c}`).join('\n')}
${REPORT_SERVER_MARKERS.end}`;
}

/** A warning when the run shared the machine: a load average above its cores makes every figure low and noisy. */
function sharedNote(run: RunInfo): string {
  const cores = os.cpus().length;
  const busiest = Math.max(...run.load.start, ...run.load.end);
  return busiest > cores
    ? `. **This run shared the machine with other work** (load average up to ${busiest.toFixed(1)} on ${cores} cores): the absolute figures are low and vary from sample to sample (see the ranges); the ratios, taken in the same rounds, say more`
    : '';
}

/** Console rows for run.ts's summary. */
export function reportServerSummaryRows(r: ReportServerResult): string[][] {
  return [
    ['GET report p99 / p50', `${ms(r.report.p99)} / ${ms(r.report.p50)} ms`, `${int(r.report.requestsPerSecond)} req/s`],
    ['GET sessions p99 / p50', `${ms(r.list.p99)} / ${ms(r.list.p50)} ms`, `${int(r.list.requestsPerSecond)} req/s`],
    ['GET sessions?cursor p99 / p50', `${ms(r.listDeep.p99)} / ${ms(r.listDeep.p50)} ms`, `${int(r.listDeep.requestsPerSecond)} req/s`],
    ['OTLP ingest', `${int(r.ingest.spansPerSecond)} spans/s`, `folded ${r.ingest.folded === r.ingest.sent ? 'all' : 'NOT ALL'}`],
    ['protobufjs decode, same bodies', `${int(1e9 / r.ingestDecode.protobufjs.median)} spans/s`, `ingest / protobufjs ${(r.ingest.spansPerSecond * r.ingestDecode.protobufjs.median / 1e9).toFixed(2)}x`],
    ['first listing (cold)', `${ms(r.coldListMs)} ms`, `then ${ms(r.warmListMs)} ms`],
  ];
}
