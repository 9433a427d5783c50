import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

/** Imports `specifier` the way a user's code would, by the package's name and exports map. */
async function exportsOf(specifier: string): Promise<Record<string, string>> {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]))));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
  return JSON.parse(stdout) as Record<string, string>;
}

describe('the package\'s subpaths', () => {
  beforeAll(async () => {
    await run('npm', ['run', 'build', '--silent'], { cwd: root });
  }, 120_000);

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
