import { expect } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { createPerformance } from '../../src/index.js';
import { recordingLogger } from './tracking.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  /** The CLI's whole environment: empty by default, so the developer's TOOLPERF_* cannot leak in. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** What `serve` waits for before it stops; default: resolved at once. */
  readonly untilStopped?: () => Promise<void>;
  /** Called with stdout as it grows (to read the URL `serve` prints). */
  readonly onStdout?: (stdout: string) => void;
}

/** Runs `toolperf args` in-process and collects what it wrote. */
export async function runToolperf(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => {
      stdout += text;
      options.onStdout?.(stdout);
    },
    stderr: (text) => void (stderr += text),
    env: options.env ?? {},
    cwd: options.cwd ?? tmpdir(),
    untilStopped: options.untilStopped ?? (async () => {}),
  });
  return { code, stdout, stderr };
}

/** A temporary directory, removed by the returned function. */
export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

class NotFound extends Error {
  readonly code = 'ENOENT';
}

/**
 * Three sessions tracked for real into `dataDir`, oldest update first:
 * - `ses_a`: one `read`, ended;
 * - `ses_b`: `read` ×3 (one fails with ENOENT) and `grep` ×1 as `tool-execution`, `plan` ×2 as `llm-call`, ended;
 * - `ses_c`: one `grep`, written but not ended.
 * The ids sort against their age, so a list in id order cannot pass for newest-first.
 */
export async function seedSessions(dataDir: string): Promise<void> {
  const perf = createPerformance({ enabled: true, dataDir, handleProcessExit: false, env: {}, logger: recordingLogger() });
  const files: Record<string, string> = { 'a.txt': 'alpha' };
  const toolsFor = (sessionId: string) =>
    perf.wrapTools(
      {
        read: async (path: string) => {
          const text = files[path];
          if (text === undefined) throw new NotFound(`no such file ${path}`);
          return text;
        },
        grep: (pattern: string) => Object.values(files).filter((text) => text.includes(pattern)),
      },
      { sessionId },
    );

  const a = toolsFor('ses_a');
  await a.read('a.txt');
  await perf.endSession('ses_a');
  await nextMillisecond();

  const b = toolsFor('ses_b');
  await b.read('a.txt');
  await b.read('a.txt');
  await b.read('missing.txt').catch(() => undefined);
  b.grep('alp');
  const plan = perf.wrapTool(async () => 'plan', { name: 'plan', operationType: 'llm-call', sessionId: 'ses_b' });
  await plan();
  await plan();
  await perf.endSession('ses_b');
  await nextMillisecond();

  toolsFor('ses_c').grep('x');
  await perf.flush();
  await perf.shutdown();
}

/** Reports carry millisecond times: make the next session's strictly later. */
async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  while (Date.now() <= now + 1) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** The CLI's error contract: exit 1, nothing on stdout, one line on stderr containing `text`. */
export function expectOneLineError(run: CliRun, text: string): void {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toContain(text);
}
