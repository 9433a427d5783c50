import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFixture, waitForOutput, type Finished } from './child.js';

const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'src/cli/bin.ts');

export interface ServeProcess {
  readonly url: string;
  /** stderr so far. */
  readonly stderr: () => string;
  /** Ends: SIGINT, then the process's end (SIGKILL after `timeoutMs`, so a hung serve fails its test rather than the suite). */
  stop(timeoutMs?: number): Promise<Finished & { killed: boolean }>;
  /** Resolves when the process ends by itself. */
  readonly done: Promise<Finished>;
  /** Ends it with SIGKILL at once: nothing of its shutdown runs. */
  kill(): Promise<Finished>;
}

/** `toolperf serve --port 0` over `dataDir`, from the sources (through tsx), in its own process. */
export function startServe(dataDir: string): Promise<ServeProcess> {
  // In the data directory: no ./toolperf.json of the repository's can be picked up.
  return startServeWith(['--data-dir', dataDir], { cwd: dataDir });
}

/** `toolperf serve --port 0 <args>` (a store, thresholds), run in `cwd` with `env` added to the environment. */
export async function startServeWith(args: readonly string[], options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv }): Promise<ServeProcess> {
  const run = startFixture(bin, ['serve', '--port', '0', ...args], options);
  let stderr = '';
  run.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await Promise.race([
    waitForOutput(run.output, '(Ctrl-C to stop)'),
    run.done.then((f) => Promise.reject(new Error(`serve ended early (${f.code}): ${f.stderr}`))),
  ]);
  const url = /at (http:\/\/127\.0\.0\.1:\d+) /.exec(run.output())?.[1] as string;
  return {
    url,
    stderr: () => stderr,
    done: run.done,
    kill: () => {
      run.child.kill('SIGKILL');
      return run.done;
    },
    stop: async (timeoutMs = 10_000) => {
      run.child.kill('SIGINT');
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        run.child.kill('SIGKILL');
      }, timeoutMs);
      const finished = await run.done;
      clearTimeout(timer);
      return { ...finished, killed };
    },
  };
}

/**
 * `toolperf <args>` from the sources in its own process, run in `cwd`; SIGKILLed after
 * `timeoutMs` (`killed`), so that a command that hangs fails its test instead of the suite.
 */
export function runToolperfProcess(args: string[], cwd: string, timeoutMs = 20_000): Promise<Finished & { killed: boolean }> {
  return finishWithin(startFixture(bin, args, { cwd }), timeoutMs);
}

/** A fixture's end, or a SIGKILL after `timeoutMs` (then `killed`): a hung child fails its test, never outlives it. */
export async function finishWithin(run: ReturnType<typeof startFixture>, timeoutMs = 20_000): Promise<Finished & { killed: boolean }> {
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    run.child.kill('SIGKILL');
  }, timeoutMs);
  const finished = await run.done;
  clearTimeout(timer);
  return { ...finished, killed };
}
