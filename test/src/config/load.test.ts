import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../../src/config/load.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolperf-load-config-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeJson(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function configErrorOf(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig', () => {
  it('gives the defaults when there is no config file at all', async () => {
    const config = await loadConfig({ cwd: dir, env: {} });
    expect(config).toEqual({
      enabled: false,
      saveReports: true,
      maxMetrics: 1000,
      writeIntervalMs: 1000,
      sessionIdleTimeoutMs: 900_000,
      idleAfterMs: 300_000,
      captureContent: false,
      maxContentLength: 1024,
      recordErrorMessages: true,
      fingerprintArguments: false,
      metrics: { includeSessionId: true, maxSeries: 2000, seriesTtlMs: 300_000 },
      otlp: { enabled: false, maxQueueSize: 2048 },
      prometheus: { enabled: false, host: '127.0.0.1', port: 9464 },
      server: { host: '127.0.0.1', port: 7318, endIdleAfterMs: 1_800_000 },
      alerts: { enabled: true, defaultRules: true, cooldownMs: 600_000, webhook: { timeoutMs: 5000, maxRetries: 5, maxQueue: 1000 } },
    });
  });

  it('reads toolperf.json from cwd', async () => {
    expect(DEFAULT_CONFIG_FILE).toBe('toolperf.json');
    await writeJson('toolperf.json', { performance: { enabled: true, maxMetrics: 5, metrics: { includeSessionId: false } } });
    const config = await loadConfig({ cwd: dir, env: {} });
    expect(config.enabled).toBe(true);
    expect(config.maxMetrics).toBe(5);
    expect(config.metrics.includeSessionId).toBe(false);
    expect(config.writeIntervalMs).toBe(1000);
  });

  it('does not look for toolperf.json outside cwd', async () => {
    await writeJson('toolperf.json', { performance: { maxMetrics: 5 } });
    await mkdir(join(dir, 'sub'));
    expect((await loadConfig({ cwd: join(dir, 'sub'), env: {} })).maxMetrics).toBe(1000);
  });

  it('gives the defaults for a file without a performance block, with a one-line warning naming the file', async () => {
    const path = await writeJson('toolperf.json', { enabled: true, maxMetrics: 5 });
    const lines: string[] = [];
    const config = await loadConfig({ cwd: dir, env: {}, logger: { warn: (line) => void lines.push(line) } });
    expect(config).toMatchObject({ enabled: false, maxMetrics: 1000 });
    expect(lines).toEqual([`${path} has no "performance" block: using the defaults (settings go inside it, e.g. {"performance": {"enabled": true}})`]);
  });

  it('says nothing for a file with a performance block, nor when there is no file', async () => {
    const lines: string[] = [];
    const logger = { warn: (line: string) => void lines.push(line) };
    await loadConfig({ cwd: dir, env: {}, logger });
    await writeJson('toolperf.json', { performance: {} });
    await loadConfig({ cwd: dir, env: {}, logger });
    expect(lines).toEqual([]);
  });

  it('reads the performance block of a named file and ignores its other top-level keys', async () => {
    await writeJson('opencode.json', {
      $schema: 'https://opencode.ai/config.json',
      model: 'anthropic/claude',
      mcp: { local: { type: 'local', command: ['x'] } },
      performance: { enabled: true, captureContent: true, maxContentLength: 64 },
    });
    await writeJson('toolperf.json', { performance: { maxMetrics: 5 } });
    const config = await loadConfig({ cwd: dir, file: 'opencode.json', env: {} });
    expect(config).toMatchObject({ enabled: true, captureContent: true, maxContentLength: 64, maxMetrics: 1000 });
  });

  it('accepts an absolute file path', async () => {
    const path = await writeJson('elsewhere/conf.json', { performance: { maxMetrics: 9 } });
    expect((await loadConfig({ cwd: '/', file: path, env: {} })).maxMetrics).toBe(9);
  });

  it('reads the file named by TOOLPERF_CONFIG, relative to cwd', async () => {
    await writeJson('conf/custom.json', { performance: { maxMetrics: 11 } });
    await writeJson('toolperf.json', { performance: { maxMetrics: 5 } });
    const config = await loadConfig({ cwd: dir, env: { TOOLPERF_CONFIG: 'conf/custom.json' } });
    expect(config.maxMetrics).toBe(11);
  });

  it('prefers the file option over TOOLPERF_CONFIG', async () => {
    await writeJson('a.json', { performance: { maxMetrics: 1 } });
    await writeJson('b.json', { performance: { maxMetrics: 2 } });
    expect((await loadConfig({ cwd: dir, file: 'a.json', env: { TOOLPERF_CONFIG: 'b.json' } })).maxMetrics).toBe(1);
  });

  it('treats an empty TOOLPERF_CONFIG as unset', async () => {
    await writeJson('toolperf.json', { performance: { maxMetrics: 5 } });
    expect((await loadConfig({ cwd: dir, env: { TOOLPERF_CONFIG: '' } })).maxMetrics).toBe(5);
  });

  it('throws a ConfigError for a missing named file', async () => {
    const error = await configErrorOf(loadConfig({ cwd: dir, file: 'nope.json', env: {} }));
    expect(error.message).toContain(join(dir, 'nope.json'));
    expect(error.message).toContain('file not found');
  });

  it('throws a ConfigError for a missing file named by TOOLPERF_CONFIG', async () => {
    const error = await configErrorOf(loadConfig({ cwd: dir, env: { TOOLPERF_CONFIG: 'gone.json' } }));
    expect(error.message).toContain(join(dir, 'gone.json'));
  });

  it('throws a ConfigError mentioning the file for invalid JSON', async () => {
    const path = await writeJson('toolperf.json', '{ "performance": { "enabled": true, }');
    const error = await configErrorOf(loadConfig({ cwd: dir, env: {} }));
    expect(error.source).toBe(path);
    expect(error.message).toContain(path);
    expect(error.message).toContain('not valid JSON');
  });

  it.each([
    ['an array', []],
    ['a string', 'text'],
    ['null', null],
  ])('throws a ConfigError when the file holds %s rather than an object', async (_label, content) => {
    const path = await writeJson('toolperf.json', JSON.stringify(content));
    const error = await configErrorOf(loadConfig({ cwd: dir, env: {} }));
    expect(error.message).toContain(path);
    expect(error.message).toContain('expected a JSON object');
  });

  it.each([
    ['true', true],
    ['a string', 'on'],
    ['an array', [1]],
    ['null', null],
  ])('throws a ConfigError when the performance block is %s', async (_label, block) => {
    const path = await writeJson('toolperf.json', { performance: block });
    const error = await configErrorOf(loadConfig({ cwd: dir, env: {} }));
    expect(error.message).toContain(path);
    expect(error.problems).toEqual([{ key: 'performance', value: block, message: 'expected an object' }]);
  });

  it('throws a ConfigError naming the file and the dotted key for an invalid value in the file', async () => {
    const path = await writeJson('toolperf.json', { performance: { maxMetrics: -3 } });
    const error = await configErrorOf(loadConfig({ cwd: dir, env: {} }));
    expect(error.message).toContain(path);
    expect(error.message).toContain('performance.maxMetrics = -3');
  });

  it('lets the environment override the file', async () => {
    await writeJson('toolperf.json', {
      performance: { enabled: false, maxMetrics: 5, writeIntervalMs: 50, metrics: { includeSessionId: true } },
    });
    const config = await loadConfig({
      cwd: dir,
      env: { TOOLPERF_ENABLED: 'yes', TOOLPERF_MAX_METRICS: '77', TOOLPERF_METRICS_INCLUDE_SESSION_ID: 'off' },
    });
    expect(config.enabled).toBe(true);
    expect(config.maxMetrics).toBe(77);
    expect(config.writeIntervalMs).toBe(50); // not in the environment: the file's value
    expect(config.metrics.includeSessionId).toBe(false);
  });

  it('applies the environment when there is no file', async () => {
    expect((await loadConfig({ cwd: dir, env: { TOOLPERF_MAX_METRICS: '3' } })).maxMetrics).toBe(3);
  });

  it('throws a ConfigError naming the variable for a bad environment value', async () => {
    await writeJson('toolperf.json', { performance: {} });
    const error = await configErrorOf(loadConfig({ cwd: dir, env: { TOOLPERF_SAVE_REPORTS: 'nah' } }));
    expect(error.message).toContain('TOOLPERF_SAVE_REPORTS');
    expect(error.message).toContain('"nah"');
  });

  it('resolves a relative dataDir against the config file directory, not cwd', async () => {
    await writeJson('project/conf/toolperf.json', { performance: { dataDir: '../data' } });
    const config = await loadConfig({ cwd: dir, file: 'project/conf/toolperf.json', env: {} });
    expect(config.dataDir).toBe(resolve(dir, 'project', 'data'));
  });

  it('resolves a relative dataDir of the default file against cwd (its directory)', async () => {
    await writeJson('toolperf.json', { performance: { dataDir: 'reports' } });
    expect((await loadConfig({ cwd: dir, env: {} })).dataDir).toBe(join(dir, 'reports'));
  });

  it('keeps an absolute dataDir as is', async () => {
    await writeJson('toolperf.json', { performance: { dataDir: '/srv/toolperf' } });
    expect((await loadConfig({ cwd: dir, env: {} })).dataDir).toBe('/srv/toolperf');
  });

  it('lets TOOLPERF_DATA_DIR override the file dataDir', async () => {
    await writeJson('toolperf.json', { performance: { dataDir: 'reports' } });
    expect((await loadConfig({ cwd: dir, env: { TOOLPERF_DATA_DIR: '/env/dir' } })).dataDir).toBe('/env/dir');
  });
});

describe('loadConfig: defaults and overrides (a plugin\'s options)', () => {
  it('layers defaults < file < overrides < environment, and names the overrides in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolperf-layers-'));
    await writeFile(join(dir, 'toolperf.json'), JSON.stringify({ performance: { maxMetrics: 10, writeIntervalMs: 50 } }));
    const config = await loadConfig({
      cwd: dir,
      env: { TOOLPERF_WRITE_INTERVAL_MS: '75' },
      defaults: { enabled: true, maxMetrics: 5 },
      overrides: { maxMetrics: 20, writeIntervalMs: 60, dataDir: 'reports' },
    });
    expect(config).toMatchObject({ enabled: true, maxMetrics: 20, writeIntervalMs: 75, dataDir: join(dir, 'reports') });

    await expect(loadConfig({ cwd: dir, env: {}, overrides: { maxMetric: 1 }, overridesSource: 'opencode plugin options' }))
      .rejects.toThrow(/opencode plugin options.*\n?.*performance\.maxMetric/s);
    await expect(loadConfig({ cwd: dir, env: { TOOLPERF_ENABLED: 'false' }, defaults: { enabled: true } })).resolves.toMatchObject({ enabled: false });
  });
});
