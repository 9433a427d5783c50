import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../../src/index.js';
import { seedSessions, tempDir } from '../../helpers/cli.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);

let bin: string;
let dataDir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  // The bin runs from dist/: build it from the sources under test.
  await run('npm', ['run', 'build', '--silent'], { cwd: root });
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  bin = join(root, pkg.bin.toolperf as string);
  dataDir = await tempDir('toolperf-cli-bin-');
  await seedSessions(dataDir.path);
}, 120_000);
afterAll(() => dataDir.remove());

/** The package's bin in its own Node process, with none of the developer's TOOLPERF_* variables. */
async function toolperf(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: dataDir.path, env: { PATH: process.env.PATH } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the built toolperf bin', () => {
  it('sessions --json lists the stored sessions, newest first, and exits 0', async () => {
    const { code, stdout, stderr } = await toolperf(['sessions', '--json', '--data-dir', dataDir.path]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const { sessions } = JSON.parse(stdout) as { sessions: SessionSummary[] };
    expect(sessions.map((s) => [s.sessionId, s.calls, s.errors])).toEqual([
      ['ses_c', 1, 0],
      ['ses_b', 6, 1],
      ['ses_a', 1, 0],
    ]);
  });

  it('exits 1 with one line on stderr for an unknown session', async () => {
    const result = await toolperf(['report', 'ses_nope', '--data-dir', dataDir.path]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `error: unknown session "ses_nope": no report in ${dataDir.path}\n` });
  });

  it('exits 1 for a bad flag value', async () => {
    const result = await toolperf(['serve', '--port', '70000', '--data-dir', dataDir.path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: option '--port <n>' argument '70000' is invalid. expected a port: an integer from 0 to 65535.\n");
  });
});
