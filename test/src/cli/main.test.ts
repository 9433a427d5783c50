import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../../src/index.js';
import { VERSION } from '../../../src/util/version.js';
import { expectOneLineError, runToolperf, seedSessions, tempDir } from '../../helpers/cli.js';

let dataDir: { path: string; remove: () => Promise<void> };
let work: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dataDir = await tempDir('toolperf-cli-main-');
  work = await tempDir('toolperf-cli-cwd-');
  await seedSessions(dataDir.path);
});
afterAll(async () => {
  await dataDir.remove();
  await work.remove();
});

const sessionIds = (stdout: string) => (JSON.parse(stdout) as { sessions: SessionSummary[] }).sessions.map((s) => s.sessionId);

describe('toolperf', () => {
  it('--help lists every command', async () => {
    const { code, stdout, stderr } = await runToolperf(['--help']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^Usage: toolperf /);
    for (const command of ['serve', 'sessions', 'report', 'stats', 'clear', 'prune', 'demo']) expect(stdout).toMatch(new RegExp(`^ {2}${command} `, 'm'));
  });

  it('--version prints the package version', async () => {
    expect(await runToolperf(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('without a command prints the help to stderr and exits non-zero', async () => {
    const { code, stdout, stderr } = await runToolperf([]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: toolperf /);
  });

  it('an unknown command exits 1 with one line', async () => {
    const run = await runToolperf(['sesions']);
    expectOneLineError(run, "unknown command 'sesions'");
    expect(run.stderr).toContain('(Did you mean sessions?)');
  });

  it('an unknown option exits 1 with one line', async () => {
    expectOneLineError(await runToolperf(['sessions', '--lmit', '2']), "unknown option '--lmit'");
  });
});

describe.each([
  ['serve', ['--host <host>', '--port <n>', 'TOOLPERF_API_TOKEN']],
  ['sessions', ['--limit <n>', '--json']],
  ['report', ['<sessionId>', '--json']],
  ['stats', ['<sessionId>', '--operation <type>', '--tool <name>', '--json', '(default: "tool-execution")']],
  ['clear', ['[sessionId]', '--all']],
  ['prune', ['--older-than <duration>', '--dry-run', '--json']],
  ['demo', []],
])('toolperf %s --help', (command, own) => {
  it('prints its usage, options and an example, and exits 0', async () => {
    for (const args of [[command, '--help'], ['help', command]]) {
      const { code, stdout, stderr } = await runToolperf(args);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(new RegExp(`^Usage: toolperf ${command} `));
      for (const text of ['--data-dir <dir>', '--config <file>', ...own]) expect(stdout).toContain(text);
      expect(stdout).toMatch(new RegExp(`^ {2}(\\S+=\\S+ )?toolperf ${command}`, 'm'));
    }
  });
});

describe('--config, --data-dir and the environment', () => {
  it('reads the data directory named by the config file, relative to the file', async () => {
    await mkdir(join(work.path, 'conf'), { recursive: true });
    const config = join(work.path, 'conf', 'toolperf.json');
    await writeFile(config, JSON.stringify({ performance: { dataDir: join('..', '..', dataDir.path.split('/').pop() as string) } }));
    const { code, stdout } = await runToolperf(['sessions', '--json', '--config', config]);
    expect(code).toBe(0);
    expect(sessionIds(stdout)).toEqual(['ses_c', 'ses_b', 'ses_a']);
  });

  it('finds ./toolperf.json in the working directory and resolves a relative --config there', async () => {
    const cwd = join(work.path, 'project');
    await mkdir(cwd, { recursive: true });
    await writeFile(join(cwd, 'toolperf.json'), JSON.stringify({ performance: { dataDir: dataDir.path } }));
    await writeFile(join(cwd, 'other.json'), JSON.stringify({ performance: { dataDir: join(work.path, 'nothing-here') } }));
    expect(sessionIds((await runToolperf(['sessions', '--json'], { cwd })).stdout)).toHaveLength(3);
    expect(sessionIds((await runToolperf(['sessions', '--json', '--config', 'other.json'], { cwd })).stdout)).toEqual([]);
  });

  it('--data-dir wins over the config file and TOOLPERF_DATA_DIR', async () => {
    const config = join(work.path, 'elsewhere.json');
    await writeFile(config, JSON.stringify({ performance: { dataDir: join(work.path, 'empty-a') } }));
    const run = await runToolperf(['sessions', '--json', '--config', config, '--data-dir', dataDir.path], { env: { TOOLPERF_DATA_DIR: join(work.path, 'empty-b') } });
    expect(sessionIds(run.stdout)).toHaveLength(3);
  });

  it('honours TOOLPERF_DATA_DIR and TOOLPERF_CONFIG', async () => {
    expect(sessionIds((await runToolperf(['sessions', '--json'], { env: { TOOLPERF_DATA_DIR: dataDir.path } })).stdout)).toHaveLength(3);
    const config = join(work.path, 'from-env.json');
    await writeFile(config, JSON.stringify({ performance: { dataDir: dataDir.path } }));
    expect(sessionIds((await runToolperf(['sessions', '--json'], { env: { TOOLPERF_CONFIG: config } })).stdout)).toHaveLength(3);
  });

  it('a missing config file exits 1 with one line', async () => {
    const missing = join(work.path, 'missing.json');
    expectOneLineError(await runToolperf(['sessions', '--config', missing]), `invalid toolperf configuration (${missing}): config file = ${JSON.stringify(missing)}: file not found`);
  });

  it('a config file that is not JSON exits 1 with one line', async () => {
    const config = join(work.path, 'broken.json');
    await writeFile(config, '{ "performance": ');
    expectOneLineError(await runToolperf(['report', 'ses_a', '--config', config]), '(file) = (missing): not valid JSON');
  });

  it('a config file without a performance block: one warning line, then the command runs on the defaults', async () => {
    const config = join(work.path, 'flat.json');
    await writeFile(config, JSON.stringify({ enabled: true, dataDir: '/nowhere' }));
    const { code, stdout, stderr } = await runToolperf(['sessions', '--json', '--config', config, '--data-dir', dataDir.path]);
    expect(code).toBe(0);
    expect(sessionIds(stdout)).toHaveLength(3);
    expect(stderr).toBe(`[toolperf] ${config} has no "performance" block: using the defaults (settings go inside it, e.g. {"performance": {"enabled": true}})\n`);
  });

  it('an invalid config lists every problem, still on one line', async () => {
    const config = join(work.path, 'invalid.json');
    await writeFile(config, JSON.stringify({ performance: { maxMetrics: -1, maxMetric: 5 } }));
    const run = await runToolperf(['stats', 'ses_a', '--config', config]);
    expectOneLineError(run, 'performance.maxMetrics = -1: expected an integer from 0 to 1000000');
    expect(run.stderr).toContain('; performance.maxMetric = 5: unknown key');
  });

  it('an invalid environment override exits 1 naming the variable', async () => {
    expectOneLineError(await runToolperf(['clear', '--all', '--data-dir', dataDir.path], { env: { TOOLPERF_MAX_METRICS: 'lots' } }), 'TOOLPERF_MAX_METRICS = "lots": expected an integer');
    expect(sessionIds((await runToolperf(['sessions', '--json', '--data-dir', dataDir.path])).stdout)).toHaveLength(3);
  });

  it.each(['--data-dir', '--config'])('an empty %s exits 1', async (option) => {
    expectOneLineError(await runToolperf(['sessions', option, '']), `option '${option}`);
  });
});
