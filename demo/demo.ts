/**
 * `npm run demo`: a scripted agent session against real tools (read files, search them, run a
 * shell command, one call that fails), tracked on the embedded default, then its report.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPerformance, FileReportStore, loadConfig, type PerformanceOptions, type SessionReport } from '../src/index.js';
import { formatReport } from '../src/cli/format-report.js';

const run = promisify(execFile);

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

/**
 * The repository the demo's tools read, or undefined outside a checkout: the nearest directory above
 * this module with a package.json (the same from demo/, dist/demo/ and a bundle's chunk), if it
 * holds the sources.
 */
export function demoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return existsSync(join(dir, 'src', 'index.ts')) ? dir : undefined;
}

export interface DemoResult {
  readonly sessionId: string;
  readonly report: SessionReport;
  readonly reportPath: string | undefined;
}

/** Runs the session and returns its final report. */
export async function runDemo(options: PerformanceOptions = {}): Promise<DemoResult> {
  const root = demoRoot();
  if (root === undefined) throw new Error('the demo runs in a checkout of the toolperf repository (its tools read the repository\'s sources)');
  const config = await loadConfig();
  const perf = createPerformance({ ...config, enabled: true, ...options });
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
  const store = perf.config.saveReports && !options.store ? new FileReportStore(perf.config.dataDir ?? (await import('../src/storage/data-dir.js')).defaultDataDir()) : undefined;
  return { sessionId, report, reportPath: store ? relativeIfShorter(store.pathOf(sessionId)) : undefined };
}

function relativeIfShorter(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.length < path.length ? rel : path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { report, reportPath } = await runDemo();
  process.stdout.write(formatReport(report));
  process.stdout.write(reportPath ? `\nReport written to ${reportPath}\n` : '\nReports are kept in memory (saveReports: false).\n');
}
