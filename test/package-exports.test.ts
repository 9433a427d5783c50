import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

/** Imports `specifier` the way a user's code would, by the package's name and exports map. */
async function exportsOf(specifier: string): Promise<Record<string, string>> {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]))));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
  return JSON.parse(stdout) as Record<string, string>;
}

// One build for every test here.
beforeAll(async () => {
  await run('npm', ['run', 'build', '--silent'], { cwd: root });
}, 180_000);

describe('the package\'s subpaths', () => {
  it('toolperf/opencode and toolperf/server (where OpenCode looks) export the plugin and nothing else', async () => {
    // OpenCode's loader calls every export of a plugin module as a plugin.
    expect(await exportsOf('toolperf/opencode')).toEqual({ default: 'function' });
    expect(await exportsOf('toolperf/server')).toEqual({ default: 'function' });
  });

  it('toolperf/ai and toolperf/mcp export their functions', async () => {
    expect(await exportsOf('toolperf/ai')).toMatchObject({ wrapAiTools: 'function' });
    expect(await exportsOf('toolperf/mcp')).toMatchObject({ trackMcpClient: 'function', McpToolResultError: 'function' });
  });

  it('toolperf/report-server exports the server; toolperf/exporters the reports for an SDK setup', async () => {
    expect(await exportsOf('toolperf/report-server')).toEqual({
      createReportApp: 'function',
      DEFAULT_MAX_BODY_BYTES: 'number',
      startReportServer: 'function',
      ServerConfigError: 'function',
      createDashboardApp: 'function',
    });
    expect(await exportsOf('toolperf/exporters')).toEqual({ createReports: 'function' });
  });

  it('the root entry exports tracking and reports, and nothing of the server or internals', async () => {
    const root = await exportsOf('toolperf');
    expect(root).toMatchObject({ createPerformance: 'function', createReports: 'function', loadConfig: 'function', withSession: 'function' });
    for (const name of ['startReportServer', 'createReportApp', 'createDashboardApp', 'PerformanceAPI', 'SessionReportExporter', 'SessionRegistry', 'performanceConfigSchema', 'resolveOtlpSettings']) {
      expect(root, name).not.toHaveProperty(name);
    }
  });

  it('the integrations load none of their optional peers at runtime (types only)', async () => {
    const published = join(root, 'dist/package');
    const files = [...(await readdir(published, { recursive: true }))].filter((f) => f.endsWith('.js'));
    expect(files).toEqual(expect.arrayContaining(['opencode.js', 'ai.js', 'mcp.js']));
    for (const file of files) {
      const js = await readFile(join(published, file), 'utf8');
      expect(js, file).not.toMatch(/from ['"](ai|@opencode-ai\/[\w-]+|@modelcontextprotocol\/[\w/.-]+)['"]/);
    }
  });
});

describe('the packed package, installed in an empty project', () => {
  let project: string;
  let dataHome: string;
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'toolperf-installed-'));
    dataHome = join(project, 'data-home');
    // The tarball npm would publish, from this build (scripts off: `prepare` would build again).
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], { cwd: root });
    const tarball = join(project, stdout.trim().split('\n').at(-1) as string);
    await writeFile(join(project, 'package.json'), '{ "name": "my-agent", "private": true, "type": "module" }\n');
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'error', tarball], { cwd: project });
  }, 180_000);
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it('ships its license and says where it lives', async () => {
    const installed = join(project, 'node_modules', 'toolperf');
    expect(await readFile(join(installed, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
    const pkg = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ license: 'Apache-2.0', repository: { url: expect.stringContaining('github.com/') }, homepage: expect.any(String), bugs: { url: expect.any(String) } });
    expect((pkg.keywords as string[]).length).toBeGreaterThan(3);
  });

  it('npx toolperf demo prints a report and how to open the dashboard', async () => {
    const { stdout, stderr } = await run('npx', ['--no-install', 'toolperf', 'demo'], { cwd: project, env: { ...process.env, XDG_DATA_HOME: dataHome } });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^ {2}\(all\)\s+12\s+2\s+83\.3%/m);
    const sessionId = /^Session (ses_demo_\w+)$/m.exec(stdout)?.[1] as string;
    const written = /^Report written to (.+)$/m.exec(stdout)?.[1] as string;
    expect(resolve(project, written)).toBe(join(dataHome, 'toolperf', 'session', 'performance', `${sessionId}.json`));
    expect(stdout.trimEnd().split('\n').slice(-3)).toEqual(['See it in the dashboard:', '  npx toolperf serve', `  then open http://127.0.0.1:7318/#/sessions/${sessionId}`]);
  }, 60_000);

  it("the README's first example records the calls it makes and prints the report, with no config", async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const first = /^```ts\n([\s\S]*?)^```/m.exec(readme.slice(readme.indexOf('## Use')))?.[1] as string;
    expect(first).toContain("from 'toolperf'");
    await writeFile(join(project, 'example.ts'), first);
    // TypeScript as the reader would run it (tsx), importing the installed package.
    const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/esm/index.mjs')).href;
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TOOLPERF_')));
    const { stdout, stderr } = await run(process.execPath, ['--import', tsx, 'example.ts'], { cwd: project, env });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/count: 2,[\s\S]*tools: \{[\s\S]*read: \{[\s\S]*add: \{/);
    expect((await readdir(join(project, '.toolperf', 'session', 'performance'))).filter((name) => name.endsWith('.json'))).toEqual(['ses_1.json']);
  }, 60_000);
});

describe('npm run build', () => {
  it('builds only what changed: a second bundle with nothing changed leaves the published files as they were', async () => {
    const bin = join(root, 'dist/package/cli/toolperf.js');
    const before = await stat(bin);
    await run(process.execPath, ['scripts/bundle.mjs'], { cwd: root });
    const after = await stat(bin);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });
});
