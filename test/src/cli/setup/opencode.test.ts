import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SetupMergeError } from '../../../../src/cli/setup/agent-setup.js';
import { OPENCODE_PLUGIN_FILE, openCodeTelemetryEnv, opencodeSetup } from '../../../../src/cli/setup/opencode.js';
import { runToolperf } from '../../../helpers/cli.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const plan = (project = '/work/app') => opencodeSetup.plan({ endpoint: 'http://127.0.0.1:7318', home: '/home/you', project, env: {} });

describe('toolperf setup opencode', () => {
  it("writes the plugin file in the project's .opencode/plugins/, re-exporting toolperf/opencode, and sets no environment", () => {
    const { env, files, notes } = plan();
    expect(env).toEqual({});
    expect(files.map((f) => f.path)).toEqual(['/work/app/.opencode/plugins/toolperf.ts']);
    expect(files[0]?.snippet).toBe(OPENCODE_PLUGIN_FILE);
    expect(OPENCODE_PLUGIN_FILE).toMatch(/^export \{ default \} from 'toolperf\/opencode';$/m);
    // Nothing else is exported: OpenCode's loader calls every export of a plugin module.
    expect(OPENCODE_PLUGIN_FILE.match(/^export /gm)).toHaveLength(1);
    expect(notes.join('\n')).toMatch(/install it there first/);
  });

  it('names the other way, OpenCode\'s own spans, with the settings the end-to-end test uses, and warns against both', () => {
    const { notes } = plan();
    expect(openCodeTelemetryEnv('http://127.0.0.1:9999')).toEqual({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9999', OTEL_BSP_SCHEDULE_DELAY: '200' });
    expect(notes.join('\n')).toContain('export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:7318 OTEL_BSP_SCHEDULE_DELAY=200');
    expect(notes.join('\n')).toMatch(/Not both/);
  });

  it('merges: writes a missing file, keeps one that loads the plugin already (idempotent), refuses to write over another', () => {
    const [file] = plan().files;
    if (file === undefined) throw new Error('no file');
    expect(file.merge(undefined)).toBe(OPENCODE_PLUGIN_FILE);
    expect(file.merge('')).toBe(OPENCODE_PLUGIN_FILE);
    expect(file.merge(file.merge(undefined))).toBe(OPENCODE_PLUGIN_FILE);
    const edited = `// mine\nexport { default } from "toolperf/opencode";\n`;
    expect(file.merge(edited)).toBe(edited);
    expect(() => file.merge(`export const MyPlugin = async () => ({});\n`)).toThrow(SetupMergeError);
  });

  it('--write writes the file in the current directory, and says so', async () => {
    const project = await mkdtemp(join(tmpdir(), 'toolperf-setup-opencode-'));
    dirs.push(project);
    const first = await runToolperf(['setup', 'opencode', '--write'], { cwd: project, env: { HOME: project } });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('toolperf.ts: written');
    expect(await readFile(join(project, '.opencode', 'plugins', 'toolperf.ts'), 'utf8')).toBe(OPENCODE_PLUGIN_FILE);
    const again = await runToolperf(['setup', 'opencode', '--write'], { cwd: project, env: { HOME: project } });
    expect(again.stdout).toContain('toolperf.ts: already set');

    await mkdir(join(project, 'other', '.opencode', 'plugins'), { recursive: true });
    await writeFile(join(project, 'other', '.opencode', 'plugins', 'toolperf.ts'), 'export const Mine = async () => ({});\n');
    const refused = await runToolperf(['setup', 'opencode', '--write'], { cwd: join(project, 'other'), env: { HOME: project } });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/left as it is: it does not load toolperf\/opencode/);
  });
});
