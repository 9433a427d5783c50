import { spawn, type ChildProcess } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Absolute, so that a fixture outside the repository still finds tsx. */
const tsxLoader = pathToFileURL(join(root, 'node_modules/tsx/dist/esm/index.mjs')).href;

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface FixtureOptions {
  /** Working directory; the repository by default. */
  readonly cwd?: string;
  /** Added to the environment. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs a TypeScript file (a name in test/fixtures, or an absolute path) in its own Node process, through tsx. */
export function startFixture(
  file: string,
  args: string[],
  options: FixtureOptions = {},
): { child: ChildProcess; done: Promise<Finished>; output: () => string } {
  const path = isAbsolute(file) ? file : join(root, 'test/fixtures', file);
  const child = spawn(process.execPath, ['--import', tsxLoader, path, ...args], {
    cwd: options.cwd ?? root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, output: () => stdout };
}

/** Resolves once the child has printed `text`. */
export async function waitForOutput(output: () => string, text: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; got ${JSON.stringify(output())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
