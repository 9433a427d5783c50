/**
 * `npm run demo` and `toolperf demo`: a scripted agent session against real tools (read files,
 * search them, run a shell command, two calls that fail), tracked on the embedded default, then its
 * report. The tools work on a small project the demo writes to a temporary directory first, so it
 * runs wherever toolperf is installed, not only in a checkout.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPerformance, FileReportStore, loadConfig, type PerformanceOptions, type SessionReport } from '../src/index.js';
import { formatReport } from '../src/cli/format-report.js';
import { defaultDataDir } from '../src/storage/data-dir.js';

const run = promisify(execFile);

/** The project the agent explores: a few files an agent would read on "explain how reports are stored". */
const PROJECT: Readonly<Record<string, string>> = {
  'package.json': `${JSON.stringify({ name: 'my-agent', version: '1.0.0', type: 'module' }, null, 2)}\n`,
  'README.md': '# my-agent\n\nAn agent that stores its reports with a ReportStore.\n',
  'src/index.ts': "export { createStore } from './store.js';\nexport type { ReportStore } from './store.js';\n",
  'src/store.ts': [
    'export interface ReportStore {',
    '  get(id: string): Promise<string | undefined>;',
    '  put(id: string, text: string): Promise<void>;',
    '}',
    '',
    'export function createStore(): ReportStore {',
    '  const reports = new Map<string, string>();',
    '  return {',
    '    async get(id) { return reports.get(id); },',
    '    async put(id, text) { reports.set(id, text); },',
    '  };',
    '}',
    '',
  ].join('\n'),
  'src/reports/write.ts': "import type { ReportStore } from '../store.js';\n\nexport async function write(store: ReportStore, id: string): Promise<void> {\n  await store.put(id, JSON.stringify({ id }));\n}\n",
  'src/reports/read.ts': "import type { ReportStore } from '../store.js';\n\nexport async function read(store: ReportStore, id: string): Promise<string | undefined> {\n  return store.get(id);\n}\n",
};

async function writeProject(root: string): Promise<void> {
  for (const [path, text] of Object.entries(PROJECT)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** The agent's tools, as an agent would define them. */
function makeTools(root: string) {
  return {
    read: { description: 'Read a file', execute: async ({ path }: { path: string }) => readFile(join(root, path), 'utf8') },
    list: { description: 'List a directory', execute: async ({ path }: { path: string }) => readdir(join(root, path)) },
    grep: {
      description: 'Search files for a pattern',
      execute: async ({ pattern, path }: { pattern: string; path: string }) => {
        const hits: string[] = [];
        for (const name of await readdir(join(root, path))) {
          if (!name.endsWith('.ts')) continue;
          const text = await readFile(join(root, path, name), 'utf8');
          text.split('\n').forEach((line, i) => {
            if (line.includes(pattern)) hits.push(`${path}/${name}:${i + 1}`);
          });
        }
        return hits;
      },
    },
    bash: {
      description: 'Run a shell command',
      execute: async ({ command }: { command: string }) => (await run('sh', ['-c', command], { cwd: root })).stdout,
    },
  };
}

export interface DemoResult {
  readonly sessionId: string;
  readonly report: SessionReport;
  /** The report's file (relative to the working directory when that is shorter); undefined when reports are kept in memory. */
  readonly reportPath: string | undefined;
  /** The data directory the report went to; undefined when reports are kept in memory. */
  readonly dataDir: string | undefined;
}

/** Runs the session (tracking on, whatever `options` say) and returns its final report. */
export async function runDemo(options: PerformanceOptions = {}): Promise<DemoResult> {
  const root = await mkdtemp(join(tmpdir(), 'toolperf-demo-project-'));
  try {
    await writeProject(root);
    const perf = createPerformance({ ...options, enabled: true });
    const sessionId = `ses_demo_${Date.now().toString(36)}`;
    const tools = perf.wrapTools(makeTools(root), { sessionId });

    // What an agent does on "explain how reports are stored":
    await tools.list.execute({ path: 'src' });
    await tools.read.execute({ path: 'package.json' });
    const hits = await tools.grep.execute({ pattern: 'ReportStore', path: 'src' });
    for (const hit of hits.slice(0, 3)) await tools.read.execute({ path: hit.split(':')[0] as string });
    await Promise.all([tools.grep.execute({ pattern: 'export', path: 'src' }), tools.grep.execute({ pattern: 'async', path: 'src/reports' })]);
    await tools.bash.execute({ command: 'ls -la && node --version' });
    await tools.read.execute({ path: 'src/no-such-file.ts' }).catch(() => 'the agent recovers from ENOENT');
    await tools.bash.execute({ command: 'exit 3' }).catch(() => 'and from a failed command');
    await tools.read.execute({ path: 'README.md' });

    await perf.endSession(sessionId);
    const report = (await perf.api.getReport({ sessionId })) as SessionReport;
    await perf.shutdown();
    const saved = perf.config.saveReports && !options.store;
    const dataDir = saved ? (perf.config.dataDir ?? defaultDataDir()) : undefined;
    const reportPath = dataDir === undefined ? undefined : relativeIfShorter(new FileReportStore(dataDir).pathOf(sessionId));
    return { sessionId, report, reportPath, dataDir };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * What the demo prints after the report: where it was written and how to see it in the dashboard.
 * `serve`: how the reader starts the report server (`npx toolperf serve`, or the checkout's bin).
 */
export function demoEpilogue(result: DemoResult, serve: string, url: string): string {
  if (result.dataDir === undefined) return '\nReports are kept in memory (saveReports: false), so there is nothing to serve.\n';
  const dataDirOption = result.dataDir === defaultDataDir() ? '' : ` --data-dir ${quoted(relativeIfShorter(result.dataDir))}`;
  return [
    '',
    `Report written to ${result.reportPath ?? ''}`,
    '',
    'See it in the dashboard:',
    `  ${serve}${dataDirOption}`,
    `  then open ${url}/#/sessions/${encodeURIComponent(result.sessionId)}`,
    '',
  ].join('\n');
}

function relativeIfShorter(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && rel.length < path.length ? rel : path;
}

/** A path as a shell word. */
function quoted(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await runDemo(await loadConfig());
  process.stdout.write(formatReport(result.report));
  process.stdout.write(demoEpilogue(result, 'node dist/package/cli/toolperf.js serve', 'http://127.0.0.1:7318'));
}
