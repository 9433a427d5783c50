/**
 * Figure 6: storage and listing (issue 13). How large the demo session's report file is, how much
 * 10,000 stored demo-like sessions take, how long a cold `toolperf sessions --limit 10` takes over
 * 1,000 and 10,000 of them against `node -e 0`, and how fast `toolperf serve` over 10,000 answers
 * the first page of `/api/v1/sessions` from the moment it listens.
 *
 * Everything runs through the public entry points: the demo's own `runDemo`, `FileReportStore.put`
 * to store the clones, the package's bin (as package.json names it) for the CLI and `serve`.
 */
import { spawn } from 'node:child_process';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { runDemo } from '../demo/demo.js';
import { FileReportStore, REPORTS_SUBDIRECTORY } from '../src/storage/file-store.js';
import type { StoredSessionReport } from '../src/document/report.js';
import { consume, log, median } from './harness.js';
import { figure as ms, markdownTable, markersOf, measuredBy, type RunInfo } from './section.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { toolperf: string } }).bin.toolperf.replace(/^\.\//, '');
const SMALL = 1_000;
const LARGE = 10_000;
const SEED_CONCURRENCY = 32;
/** Stored sessions spread over this many days before now. */
const SPREAD_DAYS = 30;
export const DEFAULT_STORAGE_ROUNDS = 15;
const LIMIT = 10;
const SERVE_CONNECTIONS = 10;
const SERVE_SECONDS = 5;

/** The goals of issue 13. */
export const GOALS = { demoFileBytes: 6 * 1024, largeStoreBytes: 60 * 2 ** 20, smallRatio: 3, largeRatio: 6, serveP99Ms: 50 } as const;

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface StorageResult {
  readonly demoFileBytes: number;
  readonly demoCalls: number;
  /** The 10,000 report files: their bytes (apparent size) and the blocks they take on this file system. */
  readonly largeStore: { readonly files: number; readonly bytes: number; readonly diskBytes: number };
  readonly seedSeconds: number;
  readonly rounds: number;
  /** Wall time from spawn to exit, ms. */
  readonly node: Spread;
  readonly small: Spread;
  readonly large: Spread;
  /** Per-round ratios over `node -e 0`. */
  readonly smallRatio: Spread;
  readonly largeRatio: Spread;
  readonly commands: { readonly node: string; readonly small: string; readonly large: string; readonly serve: string };
  /** Rows each listing printed (checked on the untimed first run). */
  readonly rowsPrinted: number;
  /** Entries of the data directories before and after all the listings (a reading command changes nothing). */
  readonly entriesUnchanged: boolean;
  readonly serve: {
    /** From spawn to the "serving reports" line. */
    readonly listeningMs: number;
    /** The first request, sent the moment the server listened. */
    readonly firstMs: number;
    readonly requests: number;
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
    readonly sessionsOnPage: number;
  };
}

// ---------------------------------------------------------------------------------------------
// Seeding

function shiftIso(iso: string, byMs: number): string {
  return new Date(Date.parse(iso) + byMs).toISOString();
}

/** The demo's report under a new id, moved back in time by `byMs`. */
function clone(template: StoredSessionReport, sessionId: string, byMs: number): StoredSessionReport {
  return {
    ...template,
    sessionId,
    startedAt: shiftIso(template.startedAt, -byMs),
    updatedAt: shiftIso(template.updatedAt, -byMs),
    ...(template.endedAt !== undefined ? { endedAt: shiftIso(template.endedAt, -byMs) } : {}),
    recent: template.recent.map((call) => ({ ...call, startedAt: shiftIso(call.startedAt, -byMs) })),
  };
}

async function seed(dataDir: string, template: StoredSessionReport, count: number): Promise<void> {
  const store = new FileReportStore(dataDir, { warn: (message) => log(`storage: seeding: ${message}`) });
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const byMs = Math.round(((count - i) / count) * SPREAD_DAYS * 86_400_000);
      await store.put(clone(template, `ses_${i.toString(36).padStart(4, '0')}_bench`, byMs));
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
}

/** Apparent bytes and allocated bytes of the report files. */
async function storeSize(dataDir: string): Promise<{ files: number; bytes: number; diskBytes: number }> {
  const directory = join(dataDir, REPORTS_SUBDIRECTORY);
  let files = 0;
  let bytes = 0;
  let diskBytes = 0;
  for (const name of await readdir(directory)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const stats = await lstat(join(directory, name));
    files++;
    bytes += stats.size;
    diskBytes += stats.blocks * 512;
  }
  return { files, bytes, diskBytes };
}

// ---------------------------------------------------------------------------------------------
// Processes

/** The environment minus what would change what a command does. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key !== 'NODE_OPTIONS' && !key.startsWith('TOOLPERF_') && !key.startsWith('OTEL_')) env[key] = value;
  }
  return env;
}

/** Runs `node args` from the repository root; resolves with its wall time (spawn to exit) and stdout. */
function run(args: readonly string[]): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let ended = 0n;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', () => (ended = process.hrtime.bigint()));
    child.on('close', (code) => {
      if (code !== 0 || stderr !== '') reject(new Error(`node ${args.join(' ')} ended with code ${String(code)}: ${stderr.trim()}`));
      else resolve({ ms: Number(ended - t0) / 1e6, stdout });
    });
  });
}

function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/** `toolperf serve` over `dataDir`: the first page of sessions, hit from the moment it listens. */
async function serveLoad(dataDir: string): Promise<StorageResult['serve']> {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = / at (http:\/\/\S+) /.exec(out);
        if (match) resolve(match[1] as string);
      });
      child.on('exit', (code) => reject(new Error(`serve exited (${String(code)}) before listening: ${out}`)));
    });
    const listeningMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const first0 = process.hrtime.bigint();
    const first = (await (await fetch(`${url}/api/v1/sessions`)).json()) as { sessions: unknown[] };
    const firstMs = Number(process.hrtime.bigint() - first0) / 1e6;
    const latencies: number[] = [];
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon({ url: `${url}/api/v1/sessions`, connections: SERVE_CONNECTIONS, duration: SERVE_SECONDS }, (error: unknown, done: autocannon.Result) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done),
      );
      instance.on('response', (_client, status, _bytes, responseTime) => {
        if (status === 200) latencies.push(responseTime);
      });
    });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`serve: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    // The first request is part of the sample: it is the one most likely to wait.
    latencies.push(firstMs);
    latencies.sort((a, b) => a - b);
    consume(latencies.length);
    return {
      listeningMs,
      firstMs,
      requests: latencies.length,
      p50: percentile(latencies, 0.5),
      p90: percentile(latencies, 0.9),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? NaN,
      sessionsOnPage: first.sessions.length,
    };
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('close', resolve));
  }
}

// ---------------------------------------------------------------------------------------------
// The run

export function storageRounds(argv: readonly string[]): number {
  const index = argv.indexOf('--storage-rounds');
  const rounds = index === -1 ? DEFAULT_STORAGE_ROUNDS : Number(argv[index + 1]);
  if (!Number.isInteger(rounds) || rounds < 5) throw new Error(`--storage-rounds takes a whole number ≥ 5, got ${String(argv[index + 1])}`);
  return rounds;
}

export async function runStorage(rounds = DEFAULT_STORAGE_ROUNDS): Promise<StorageResult> {
  const work = await mkdtemp(join(os.tmpdir(), 'toolperf-bench-storage-'));
  try {
    const demoDir = join(work, 'demo');
    const demo = await runDemo({ dataDir: demoDir, handleProcessExit: false, env: {}, logger: { warn: (m) => log(`storage: demo: ${m}`) } });
    const store = new FileReportStore(demoDir);
    const template = await store.get(demo.sessionId);
    if (template === undefined) throw new Error('the demo stored no report');
    const demoFileBytes = (await lstat(store.pathOf(demo.sessionId))).size;
    log(`storage: the demo's report file: ${demoFileBytes} bytes`);

    const small = join(work, 'small');
    const large = join(work, 'large');
    const seeded = process.hrtime.bigint();
    await seed(small, template, SMALL);
    await seed(large, template, LARGE);
    const seedSeconds = Number(process.hrtime.bigint() - seeded) / 1e9;
    const largeStore = await storeSize(large);
    log(`storage: seeded ${SMALL} and ${LARGE} sessions in ${seedSeconds.toFixed(1)} s; ${LARGE}: ${(largeStore.bytes / 2 ** 20).toFixed(1)} MiB`);

    const cases = {
      node: ['-e', '0'],
      small: [BIN, 'sessions', '--limit', String(LIMIT), '--data-dir', small],
      large: [BIN, 'sessions', '--limit', String(LIMIT), '--data-dir', large],
    } as const;
    const entriesBefore = [(await readdir(join(small, REPORTS_SUBDIRECTORY))).length, (await readdir(join(large, REPORTS_SUBDIRECTORY))).length];
    // Once untimed: the output is checked, and the OS file cache holds what every run reads.
    let rowsPrinted = Infinity;
    for (const args of [cases.small, cases.large]) {
      const rows = (await run(args)).stdout.trimEnd().split('\n').length - 2;
      rowsPrinted = Math.min(rowsPrinted, rows);
      if (rows !== LIMIT) throw new Error(`node ${args.join(' ')} printed ${rows} rows, not ${LIMIT}`);
    }
    const ids = ['node', 'small', 'large'] as const;
    const samples: Record<(typeof ids)[number], number[]> = { node: [], small: [], large: [] };
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < ids.length; k++) {
        const id = ids[(round + k) % ids.length] as (typeof ids)[number];
        samples[id].push((await run(cases[id])).ms);
      }
      log(`storage: round ${round + 1}/${rounds}: node ${ms(samples.node.at(-1) ?? NaN)}, ${SMALL} ${ms(samples.small.at(-1) ?? NaN)}, ${LARGE} ${ms(samples.large.at(-1) ?? NaN)} ms`);
    }
    const entriesAfter = [(await readdir(join(small, REPORTS_SUBDIRECTORY))).length, (await readdir(join(large, REPORTS_SUBDIRECTORY))).length];

    const serve = await serveLoad(large);
    log(`storage: serve over ${LARGE}: listening after ${serve.listeningMs.toFixed(0)} ms; first page ${serve.firstMs.toFixed(1)} ms, then p99 ${serve.p99.toFixed(1)} ms over ${serve.requests} requests`);

    const shown = (args: readonly string[]): string => ['node', ...args].join(' ').replace(small, '$SMALL').replace(large, '$LARGE');
    return {
      demoFileBytes,
      demoCalls: template.operations['tool-execution']?.count ?? 0,
      largeStore,
      seedSeconds,
      rounds,
      node: spread(samples.node),
      small: spread(samples.small),
      large: spread(samples.large),
      smallRatio: spread(samples.small.map((v, i) => v / (samples.node[i] as number))),
      largeRatio: spread(samples.large.map((v, i) => v / (samples.node[i] as number))),
      commands: { node: shown(cases.node), small: shown(cases.small), large: shown(cases.large), serve: shown([BIN, 'serve', '--port', '0', '--data-dir', large]) },
      rowsPrinted,
      entriesUnchanged: entriesBefore.every((n, i) => n === entriesAfter[i]),
      serve,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Output

export const STORAGE_MARKERS = markersOf('storage');

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function verdict(holds: boolean): string {
  return holds ? 'holds' : '**does not hold**';
}

/** The `## 6.` section of BENCHMARKS.md, between markers so that `--only storage` can replace it. */
export function storageSection(r: StorageResult, info: RunInfo): string {
  const rows = [
    ['figure', 'measured', 'goal', ''],
    ['the demo session\'s report file', `**${(r.demoFileBytes / 1024).toFixed(2)} KiB** (${r.demoFileBytes.toLocaleString('en-US')} bytes, ${r.demoCalls} calls)`, '≤ 6 KiB', verdict(r.demoFileBytes <= GOALS.demoFileBytes)],
    [`${LARGE.toLocaleString('en-US')} demo-like sessions stored`, `**${mib(r.largeStore.bytes)}** (${mib(r.largeStore.diskBytes)} of disk blocks)`, '≤ 60 MiB', verdict(r.largeStore.bytes <= GOALS.largeStoreBytes)],
    [`cold \`toolperf sessions --limit ${LIMIT}\`, ${SMALL.toLocaleString('en-US')} sessions / \`node -e 0\``, `**${r.smallRatio.median.toFixed(2)}×** (${ms(r.small.median)} / ${ms(r.node.median)} ms)`, `≤ ${GOALS.smallRatio}×`, verdict(r.smallRatio.median <= GOALS.smallRatio)],
    [`cold \`toolperf sessions --limit ${LIMIT}\`, ${LARGE.toLocaleString('en-US')} sessions / \`node -e 0\``, `**${r.largeRatio.median.toFixed(2)}×** (${ms(r.large.median)} / ${ms(r.node.median)} ms)`, `≤ ${GOALS.largeRatio}×`, verdict(r.largeRatio.median <= GOALS.largeRatio)],
    [`\`serve\` over ${LARGE.toLocaleString('en-US')}: \`GET /api/v1/sessions\` from the moment it listens, p99`, `**${ms(r.serve.p99)} ms**`, `< ${GOALS.serveP99Ms} ms`, verdict(r.serve.p99 < GOALS.serveP99Ms)],
  ];
  return `${STORAGE_MARKERS.begin}
## 6. Storage and listing

${measuredBy(info)}

${markdownTable(rows)}

**Report files.** The demo's session (\`runDemo\`, ${r.demoCalls} calls to 4 tools, 2 failing) stored by this build. ${LARGE.toLocaleString('en-US')} clones of it (new ids, moved back
in time over ${SPREAD_DAYS} days) written with \`FileReportStore.put\` (${r.seedSeconds.toFixed(1)} s for the ${(SMALL + LARGE).toLocaleString('en-US')} of both stores): the size is the files'
bytes; on this file system each file also rounds up to whole 4 KiB blocks, which the second figure counts.

**Cold listing.** A new process each time (nothing cached in memory; the OS page cache holds the files, which were just
written and read once untimed): wall time from \`spawn\` to exit, ${r.rounds} interleaved rounds of the three commands in a
rotating order; the ratio is taken per round, and its median is the figure (range ${r.smallRatio.min.toFixed(2)}–${r.smallRatio.max.toFixed(2)}× and
${r.largeRatio.min.toFixed(2)}–${r.largeRatio.max.toFixed(2)}×).

${markdownTable([
    ['command', 'ms (median)', 'range'],
    [`\`${r.commands.node}\``, `**${ms(r.node.median)}**`, `${ms(r.node.min)} – ${ms(r.node.max)}`],
    [`\`${r.commands.small}\``, `**${ms(r.small.median)}**`, `${ms(r.small.min)} – ${ms(r.small.max)}`],
    [`\`${r.commands.large}\``, `**${ms(r.large.median)}**`, `${ms(r.large.min)} – ${ms(r.large.max)}`],
  ])}

**\`serve\`.** \`${r.commands.serve}\` in its own process; the first \`GET /api/v1/sessions\` is sent the moment it prints its
address (${ms(r.serve.listeningMs)} ms after spawn) and took ${ms(r.serve.firstMs)} ms, then autocannon sends the same request on ${SERVE_CONNECTIONS} connections
for ${SERVE_SECONDS} s while the server's own warm-up (the tools' figures merged from every stored sketch) runs: ${r.serve.requests.toLocaleString('en-US')} answers, p50 ${ms(r.serve.p50)},
p90 ${ms(r.serve.p90)}, p99 ${ms(r.serve.p99)}, max ${ms(r.serve.max)} ms (the first request included).

Checks: every listing printed ${r.rowsPrinted} rows; the data directories held the same entries before and after the ${r.rounds * 2 + 2} listings: ${String(r.entriesUnchanged)}; the first page held ${r.serve.sessionsOnPage} sessions.
${STORAGE_MARKERS.end}`;
}

/** Console rows for run.ts's summary. */
export function storageSummaryRows(r: StorageResult): string[][] {
  return [
    ['storage: demo report file', `${r.demoFileBytes} B`, `<= 6 KiB ${r.demoFileBytes <= GOALS.demoFileBytes ? 'ok' : 'MISSED'}`],
    [`storage: ${LARGE} sessions`, mib(r.largeStore.bytes), `<= 60 MiB ${r.largeStore.bytes <= GOALS.largeStoreBytes ? 'ok' : 'MISSED'}`],
    [`storage: sessions, ${SMALL} / node`, `${r.smallRatio.median.toFixed(2)}x`, `<= 3x ${r.smallRatio.median <= GOALS.smallRatio ? 'ok' : 'MISSED'}`],
    [`storage: sessions, ${LARGE} / node`, `${r.largeRatio.median.toFixed(2)}x`, `<= 6x ${r.largeRatio.median <= GOALS.largeRatio ? 'ok' : 'MISSED'}`],
    [`storage: serve first page p99`, `${ms(r.serve.p99)} ms`, `< 50 ms ${r.serve.p99 < GOALS.serveP99Ms ? 'ok' : 'MISSED'}`],
  ];
}
