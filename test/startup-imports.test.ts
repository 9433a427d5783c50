import { readFileSync } from 'node:fs';
/**
 * Which packages load at startup: the root entry, a disabled tracker and `toolperf --help` must
 * not pull in what they do not use (the report server's hono and protobufjs, the CLI's commander,
 * the OpenTelemetry SDK). Nothing here is timed: bench/startup.ts measures the time, these tests
 * pin its causes.
 *
 * Runs against the built package, the way a user gets it: `toolperf` resolved from the repository
 * root through package.json "exports" (to dist/), the bin from dist/. The build runs once in
 * beforeAll, always, rather than when dist/ looks stale: a timestamp check can be fooled by a
 * checkout or a half-finished build, and a build takes seconds. Running src/ through tsx instead
 * would load tsx's own modules and let its resolver stand in for Node's.
 *
 * Each check is a fresh Node process with test/helpers/module-recorder.ts preloaded, which logs
 * every module resolved by `import` (an ESM resolve hook) and by `require` (a wrapper around
 * `Module._load`, so a CommonJS package required lazily through `createRequire` counts too).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const recorder = join(root, 'dist/test/helpers/module-recorder.js');
const bin = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { toolperf: string } }).bin.toolperf);

const REPORT_SERVER = ['hono', '@hono/*', 'protobufjs'];
const OTEL_SDK = ['@opentelemetry/sdk-*'];
/** The PostgreSQL client: loaded only when a store URL is used. */
const POSTGRES = ['pg', 'pg-*'];

interface Loaded {
  /** Packages (by npm name) of the modules resolved by `import`, and by `require`. */
  readonly imported: ReadonlySet<string>;
  readonly required: ReadonlySet<string>;
  readonly all: ReadonlySet<string>;
  readonly stdout: string;
}

let logs = '';
let runs = 0;

/** The npm package a module's file URL or path lies in; undefined for built-ins and this package. */
function packageOf(location: string): string | undefined {
  const path = location.startsWith('file:') ? fileURLToPath(location) : location;
  const parts = path.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at === -1) return undefined;
  const name = parts[at + 1];
  return name?.startsWith('@') ? `${name}/${parts[at + 2] ?? ''}` : name;
}

/** Runs `node args` from the repository root with the recorder preloaded. */
async function loadedBy(args: string[]): Promise<Loaded> {
  const log = join(logs, `run-${++runs}.log`);
  const env: NodeJS.ProcessEnv = { MODULE_RECORDER_LOG: log };
  // The developer's Node options and tracker settings must not change what a run loads.
  for (const [key, value] of Object.entries(process.env)) {
    if (key !== 'NODE_OPTIONS' && !key.startsWith('TOOLPERF_') && !key.startsWith('OTEL_')) env[key] ??= value;
  }
  const { stdout } = await run(process.execPath, ['--import', recorder, ...args], { cwd: root, env });
  const imported = new Set<string>();
  const required = new Set<string>();
  for (const line of (await readFile(log, 'utf8')).split('\n')) {
    const [kind, ...rest] = line.split(' ');
    const name = packageOf(rest.join(' '));
    if (name === undefined) continue;
    if (kind === 'import') imported.add(name);
    else if (kind === 'require') required.add(name);
  }
  return { imported, required, all: new Set([...imported, ...required]), stdout };
}

function moduleScript(source: string): string[] {
  return ['--input-type=module', '-e', source];
}

/** The packages of `loaded` that match a pattern (`@scope/*` and `prefix-*` match by prefix), sorted. */
function among(loaded: Loaded, patterns: readonly string[]): string[] {
  const matches = (name: string, pattern: string): boolean =>
    pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
  return [...loaded.all].filter((name) => patterns.some((p) => matches(name, p))).sort();
}

describe('what starting up loads', () => {
  beforeAll(async () => {
    await run('npm', ['run', 'build', '--silent'], { cwd: root });
    logs = await mkdtemp(join(tmpdir(), 'toolperf-modules-'));
  }, 120_000);

  afterAll(async () => {
    if (logs !== '') await rm(logs, { recursive: true, force: true });
  });

  it('the recorder sees a package imported and a CommonJS package required lazily through createRequire', async () => {
    const loaded = await loadedBy(
      moduleScript('import "hono"; import { createRequire } from "node:module"; createRequire(import.meta.url)("@opentelemetry/sdk-metrics");'),
    );
    expect(loaded.imported).toContain('hono');
    // No ESM hook sees this one: only the Module._load wrapper does.
    expect(loaded.imported).not.toContain('@opentelemetry/sdk-metrics');
    expect(loaded.required).toContain('@opentelemetry/sdk-metrics');
    expect(among(loaded, ['protobufjs', 'commander'])).toEqual([]);
  });

  it('importing the root entry loads neither the report server (hono, @hono/*, protobufjs), the CLI (commander) nor the PostgreSQL client', async () => {
    const loaded = await loadedBy(moduleScript('import * as toolperf from "toolperf"; console.log(typeof toolperf.createPerformance);'));
    expect(loaded.stdout.trim()).toBe('function');
    expect(among(loaded, [...REPORT_SERVER, 'commander', ...POSTGRES])).toEqual([]);
  });

  it('a disabled tracker loads no OpenTelemetry SDK, zod or sketches', async () => {
    const loaded = await loadedBy(
      moduleScript('import { createPerformance } from "toolperf"; console.log(createPerformance({ enabled: false }).enabled);'),
    );
    expect(loaded.stdout.trim()).toBe('false');
    expect(
      among(loaded, [...OTEL_SDK, '@opentelemetry/context-async-hooks', '@opentelemetry/resources', '@opentelemetry/core', 'zod', '@datadog/sketches-js', ...POSTGRES]),
    ).toEqual([]);
  });

  it('toolperf --help loads neither the report server nor the OpenTelemetry SDK', async () => {
    const loaded = await loadedBy([bin, '--help']);
    expect(loaded.stdout).toContain('Usage: toolperf');
    expect(among(loaded, [...REPORT_SERVER, ...OTEL_SDK, ...POSTGRES])).toEqual([]);
  });

  it('a tracker on the file store loads no PostgreSQL client; one on a postgres:// store does, when it first writes', async () => {
    const files = await loadedBy(
      moduleScript('import { createPerformance } from "toolperf"; const p = createPerformance({ enabled: true, saveReports: false, handleProcessExit: false }); await p.wrapTool(async () => 1, { name: "t", sessionId: "s" })(); await p.shutdown(); console.log("ok");'),
    );
    expect(files.stdout.trim()).toBe('ok');
    expect(among(files, POSTGRES)).toEqual([]);
    // An unreachable database: the write fails (logged), but the client was loaded for it.
    const database = await loadedBy(
      moduleScript('import { createReports } from "toolperf"; const r = createReports({ store: "postgres://u@127.0.0.1:1/none", logger: { warn() {} } }); await r.listSessions().catch(() => {}); await r.shutdown().catch(() => {}); console.log("ok");'),
    );
    expect(database.stdout.trim()).toBe('ok');
    expect(among(database, ['pg'])).toEqual(['pg']);
  });
});
