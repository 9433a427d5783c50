/**
 * Figure 5: import and startup. Whole Node processes, each started again and again: what a user
 * waits for before `import 'toolperf'` has returned, a tracker exists, or the CLI has answered,
 * against the same process doing only what any OpenTelemetry instrumentation would have to do.
 *
 * Every case runs with `cwd` at the repository, so `toolperf` resolves to this package through
 * its own package.json "exports" (self-reference), i.e. to the built `dist/package/index.js`, the way
 * an installed copy would. The cases use only the public entry points: `toolperf`, the bin
 * the bin that package.json names, and npm package names.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { log, median } from './harness.js';
import { figure as ms, markdownTable, markersOf, measuredBy, type RunInfo } from './section.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The package's bin, as package.json names it (relative to the repository). */
const BIN = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { toolperf: string } }).bin.toolperf.replace(/^\.\//, '');
export const DEFAULT_STARTUP_ROUNDS = 15;
/** Fewer rounds than this give a median that one slow start can move. */
export const MIN_STARTUP_ROUNDS = 5;
/** A start that takes this long is stuck (the tracker kept the process alive, say), not slow. */
const TIMEOUT_MS = 30_000;
/** Shown in the commands instead of the run's own temporary path. */
const EMPTY_DIR = '"$EMPTY_DIR"';

/** What the "OpenTelemetry SDK" case loads: the packages any tracker built on the SDK needs. */
export const SDK_PACKAGES = [
  '@opentelemetry/api',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/context-async-hooks',
  '@datadog/sketches-js',
] as const;

type CaseId = 'node' | 'api' | 'sdk' | 'disabled' | 'enabled' | 'sessions' | 'help';

interface StartupCase {
  readonly id: CaseId;
  readonly label: string;
  /** Node's arguments; `emptyDir` is an empty directory that exists for the whole run. */
  readonly args: (emptyDir: string) => string[];
  /** What stdout must contain (checked on the untimed first start). */
  readonly prints?: (emptyDir: string) => string;
}

function evalModule(source: string): string[] {
  return ['--input-type=module', '-e', source];
}

const CASES: readonly StartupCase[] = [
  { id: 'node', label: 'node, nothing loaded', args: () => ['-e', '0'] },
  { id: 'api', label: '`@opentelemetry/api` alone', args: () => evalModule('import "@opentelemetry/api";') },
  {
    id: 'sdk',
    label: 'the OpenTelemetry SDK packages',
    args: () => evalModule(SDK_PACKAGES.map((name) => `import "${name}";`).join(' ')),
  },
  {
    id: 'disabled',
    label: '`toolperf`, a disabled tracker',
    args: () => evalModule('import { createPerformance } from "toolperf"; createPerformance({ enabled: false });'),
  },
  {
    id: 'enabled',
    label: '`toolperf`, an enabled tracker, then exit',
    args: () =>
      evalModule('import { createPerformance } from "toolperf"; createPerformance({ enabled: true, saveReports: false, handleProcessExit: false });'),
  },
  {
    id: 'sessions',
    label: '`toolperf sessions`, empty data directory',
    args: (emptyDir) => [BIN, 'sessions', '--data-dir', emptyDir],
    prints: (emptyDir) => `No sessions in ${emptyDir}`,
  },
  { id: 'help', label: '`toolperf --help`', args: () => [BIN, '--help'], prints: () => 'Usage: toolperf' },
];

interface StartupPromise {
  readonly id: CaseId;
  readonly over: CaseId;
  readonly bound: number;
}

/** The ratios the project promises: each case's time over its baseline's, at most `bound`. */
const PROMISES: readonly StartupPromise[] = [
  { id: 'disabled', over: 'api', bound: 1.3 },
  { id: 'enabled', over: 'sdk', bound: 1.25 },
  { id: 'sessions', over: 'node', bound: 1.6 },
  { id: 'help', over: 'node', bound: 1.6 },
];

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface StartupCaseResult {
  readonly id: CaseId;
  readonly label: string;
  /** The command, runnable from the repository root (`$EMPTY_DIR`: an empty directory). */
  readonly command: string;
  /** Wall time from spawn to exit, ms: median and range over the rounds. */
  readonly ms: Spread;
  /** In round order. */
  readonly samples: readonly number[];
}

export interface StartupPromiseResult {
  readonly id: CaseId;
  readonly over: CaseId;
  readonly bound: number;
  /** Median, fastest and slowest of the per-round ratios (both starts of a ratio come from the same round). */
  readonly ratio: Spread;
  /** The ratio of the two medians, for comparison. */
  readonly ratioOfMedians: number;
  /** Judged on the median of the per-round ratios. */
  readonly holds: boolean;
}

export interface StartupResult {
  readonly rounds: number;
  readonly cases: readonly StartupCaseResult[];
  readonly promises: readonly StartupPromiseResult[];
  /** `import.meta.resolve("toolperf")` in a process started like the cases, and where it should point. */
  readonly toolperfResolvesTo: string;
  readonly toolperfExpected: string;
  /** Entries `toolperf sessions` left in the empty data directory (none expected). */
  readonly dataDirEntries: number;
  /** Environment variables taken out of the children's environment. */
  readonly removedEnv: readonly string[];
}

/** The bench's environment minus what would change what a case does: Node options, the tracker's own settings. */
function childEnv(): { env: NodeJS.ProcessEnv; removed: string[] } {
  const env: NodeJS.ProcessEnv = {};
  const removed: string[] = [];
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key.startsWith('TOOLPERF_') || key.startsWith('OTEL_')) removed.push(key);
    else env[key] = value;
  }
  return { env, removed: removed.sort() };
}

interface Started {
  readonly ms: number;
  readonly stdout: string;
}

/** Starts `node args` in the repository root and resolves when it has exited, with its wall time. */
function start(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Started> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let ended = 0n;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill(), TIMEOUT_MS);
    child.on('error', reject);
    // Timed to the exit itself; 'close' (streams drained) only delivers the output.
    child.on('exit', () => (ended = process.hrtime.bigint()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`node ${args.map(shellQuote).join(' ')} ended with ${signal ?? `code ${String(code)}`}: ${stderr.trim()}`));
        return;
      }
      resolve({ ms: Number(ended - t0) / 1e6, stdout });
    });
  });
}

/** `arg` as a POSIX shell word. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

function commandOf(c: StartupCase): string {
  // The placeholder goes in unquoted: it is already a shell word.
  return ['node', ...c.args('\0').map((arg) => (arg === '\0' ? EMPTY_DIR : shellQuote(arg)))].join(' ');
}

function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export function startupRounds(argv: readonly string[]): number {
  const index = argv.indexOf('--startup-rounds');
  if (index === -1) return DEFAULT_STARTUP_ROUNDS;
  const rounds = Number(argv[index + 1]);
  if (!Number.isInteger(rounds) || rounds < MIN_STARTUP_ROUNDS) {
    throw new Error(`--startup-rounds takes a whole number ≥ ${MIN_STARTUP_ROUNDS}, got ${String(argv[index + 1])}`);
  }
  return rounds;
}

/**
 * Starts every case once untimed (the OS file cache fills, the output is checked), then `rounds`
 * rounds of one start per case in a rotating order (A B C …, then B C … A, …), so that drift on
 * the machine reaches every case alike and the ratios within a round are fair.
 */
export async function runStartup(rounds = DEFAULT_STARTUP_ROUNDS): Promise<StartupResult> {
  const { env, removed } = childEnv();
  const emptyDir = await mkdtemp(join(os.tmpdir(), 'toolperf-startup-'));
  try {
    const resolved = await start(evalModule('console.log(import.meta.resolve("toolperf"))'), env);
    const toolperfResolvesTo = resolved.stdout.trim();
    const toolperfExpected = pathToFileURL(join(ROOT, 'dist/package/index.js')).href;
    if (toolperfResolvesTo !== toolperfExpected) {
      throw new Error(`"toolperf" resolves to ${toolperfResolvesTo} from ${ROOT}, not to ${toolperfExpected}: is the package built?`);
    }
    for (const c of CASES) {
      const first = await start(c.args(emptyDir), env);
      const expected = c.prints?.(emptyDir);
      if (expected !== undefined && !first.stdout.includes(expected)) {
        throw new Error(`${commandOf(c)} printed ${JSON.stringify(first.stdout.slice(0, 200))}, not ${JSON.stringify(expected)}`);
      }
    }
    const samples = new Map<CaseId, number[]>(CASES.map((c) => [c.id, []]));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < CASES.length; k++) {
        const c = CASES[(round + k) % CASES.length] as StartupCase;
        samples.get(c.id)?.push((await start(c.args(emptyDir), env)).ms);
      }
      log(`round ${round + 1}/${rounds}: ${CASES.map((c) => `${c.id} ${ms(samples.get(c.id)?.at(-1) ?? NaN)}`).join(', ')} ms`);
    }
    const of = (id: CaseId): number[] => samples.get(id) ?? [];
    const cases = CASES.map((c) => ({ id: c.id, label: c.label, command: commandOf(c), ms: spread(of(c.id)), samples: of(c.id) }));
    const promises = PROMISES.map((p) => {
      const ratio = spread(of(p.id).map((value, i) => value / (of(p.over)[i] as number)));
      return { ...p, ratio, ratioOfMedians: median(of(p.id)) / median(of(p.over)), holds: ratio.median <= p.bound };
    });
    const dataDirEntries = (await readdir(emptyDir)).length;
    return { rounds, cases, promises, toolperfResolvesTo, toolperfExpected, dataDirEntries, removedEnv: removed };
  } finally {
    await rm(emptyDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Output

export const STARTUP_MARKERS = markersOf('startup');

function caseOf(r: StartupResult, id: CaseId): StartupCaseResult {
  const c = r.cases.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no startup case ${id}`);
  return c;
}

function promiseName(r: StartupResult, p: StartupPromiseResult): string {
  return `${caseOf(r, p.id).label} / ${caseOf(r, p.over).label}`;
}

/** The commands as a shell session, to quote. */
export function startupCommands(r: StartupResult): string {
  return ['npm run build', 'EMPTY_DIR=$(mktemp -d)', ...r.cases.map((c) => c.command)].join('\n');
}

/** The `## 5.` section of BENCHMARKS.md, between markers so that `--only startup` can replace it. */
export function startupSection(r: StartupResult, run: RunInfo): string {
  const checks = [
    `\`import.meta.resolve("toolperf")\`, in a process started like the cases, gave \`${r.toolperfResolvesTo.replace(pathToFileURL(ROOT).href, '')}\` (${r.toolperfResolvesTo === r.toolperfExpected ? 'the built package' : '**not the built package**'}).`,
    `\`toolperf sessions\` answered "No sessions in …" and left ${r.dataDirEntries} entries in the empty data directory; \`toolperf --help\` printed its usage; every start exited with code 0 (any other ends the benchmark).`,
    `Taken out of the children's environment (\`NODE_OPTIONS\`, \`TOOLPERF_*\` and \`OTEL_*\`, which could change what a case does): ${r.removedEnv.length === 0 ? 'nothing, none were set' : r.removedEnv.map((k) => `\`${k}\``).join(', ')}.`,
  ];
  return `${STARTUP_MARKERS.begin}
## 5. Import and startup

${measuredBy(run)}

Whole Node processes, started by the benchmark with \`cwd\` at the repository, so that \`toolperf\` resolves to this package through its
own package.json "exports", i.e. to the built \`dist/package/index.js\`. Each case is started once untimed (the OS file cache fills, the
output is checked), then ${r.rounds} interleaved rounds of one start per case in a rotating order; the time is the wall time from
\`spawn\` to the child's exit, as the parent sees it (process creation and Node's own start included, the same in every case).

${markdownTable([
    ['case', 'command', 'ms (median)', 'range'],
    ...r.cases.map((c) => [c.label, `\`${c.command}\``, `**${ms(c.ms.median)}**`, `${ms(c.ms.min)} – ${ms(c.ms.max)}`]),
  ])}

The OpenTelemetry SDK packages: ${SDK_PACKAGES.map((name) => `\`${name}\``).join(', ')}. \`$EMPTY_DIR\` is an empty directory (\`mktemp -d\`).

${markdownTable([
    ['promise', 'ratio (median of per-round ratios)', 'range', 'ratio of the medians', 'bound', ''],
    ...r.promises.map((p) => [
      promiseName(r, p),
      `**${p.ratio.median.toFixed(2)}×**`,
      `${p.ratio.min.toFixed(2)} – ${p.ratio.max.toFixed(2)}`,
      `${p.ratioOfMedians.toFixed(2)}×`,
      `≤ ${p.bound}×`,
      p.holds ? 'holds' : '**does not hold**',
    ]),
  ])}

The commands, from the repository root:

\`\`\`sh
${startupCommands(r)}
\`\`\`

Checks:

${checks.map((c) => `- ${c}`).join('\n')}
${STARTUP_MARKERS.end}`;
}

/** Console rows for run.ts's summary. */
export function startupSummaryRows(r: StartupResult): string[][] {
  return [
    ...r.cases.map((c) => [`start: ${c.label.replaceAll('`', '')}`, `${ms(c.ms.median)} ms`, '']),
    ...r.promises.map((p) => [
      `start: ${p.id} / ${p.over}`,
      `${p.ratio.median.toFixed(2)}x`,
      `<= ${p.bound}x ${p.holds ? 'ok' : 'MISSED'}`,
    ]),
  ];
}
