import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { SetupMergeError, type SetupFile, type SetupOptions } from '../../../../src/cli/setup/agent-setup.js';
import { codexSetup } from '../../../../src/cli/setup/codex.js';
import { runToolperf, tempDir } from '../../../helpers/cli.js';

const OURS = {
  exporter: { 'otlp-http': { endpoint: 'http://127.0.0.1:7318/v1/logs', protocol: 'json' } },
  metrics_exporter: 'none',
  log_user_prompt: false,
  log_agent_responses: false,
};

function configFile(options: Partial<SetupOptions> = {}): SetupFile {
  const [file] = codexSetup.plan({ endpoint: 'http://127.0.0.1:7318', home: '/home/me', project: '/work/p', env: {}, ...options }).files;
  if (file === undefined) throw new Error('no file');
  return file;
}

const removals: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const remove of removals.splice(0)) await remove();
});

describe('codexSetup', () => {
  it("writes Codex's config.toml under CODEX_HOME, else ~/.codex", () => {
    expect(configFile().path).toBe(join('/home/me', '.codex', 'config.toml'));
    expect(configFile({ env: { CODEX_HOME: '/srv/codex' } }).path).toBe(join('/srv/codex', 'config.toml'));
    expect(configFile({ env: { CODEX_HOME: '' } }).path).toBe(join('/home/me', '.codex', 'config.toml'));
  });

  it("sends Codex's log records to toolperf's /v1/logs as OTLP JSON, with no metrics, prompts, responses or analytics", () => {
    const written = parse(configFile().merge(undefined));
    expect(written).toEqual({ otel: OURS, analytics: { enabled: false } });
    // What setup prints is the same settings.
    expect(parse(configFile().snippet)).toEqual(written);
    const elsewhere = parse(configFile({ endpoint: 'http://10.0.0.5:9000/' }).merge(undefined)) as { otel: typeof OURS };
    expect(elsewhere.otel.exporter['otlp-http'].endpoint).toBe('http://10.0.0.5:9000/v1/logs');
  });

  it('merges into a config that is there: its keys kept, ours set, the same file again unchanged', () => {
    const existing = '# mine\nmodel = "o3"\napproval_policy = "on-request"\n\n[otel]\nenvironment = "prod"\ntrace_exporter = { otlp-grpc = { endpoint = "https://jaeger:4317" } }\nlog_user_prompt = true\n\n[mcp_servers.docs]\ncommand = "docs-mcp"\n';
    const file = configFile();
    const merged = file.merge(existing);
    expect(merged.startsWith('# mine\nmodel = "o3"\napproval_policy = "on-request"\n\n[otel]\nenvironment = "prod"\n')).toBe(true);
    expect(parse(merged)).toEqual({
      model: 'o3',
      approval_policy: 'on-request',
      otel: { environment: 'prod', trace_exporter: { 'otlp-grpc': { endpoint: 'https://jaeger:4317' } }, ...OURS },
      mcp_servers: { docs: { command: 'docs-mcp' } },
      analytics: { enabled: false },
    });
    expect(file.merge(merged)).toBe(merged);
  });

  it('leaves a file it cannot merge safely as it is, with a SetupMergeError that says what to do', () => {
    const file = configFile();
    expect(() => file.merge('[otel\n')).toThrow(SetupMergeError);
    expect(() => file.merge('otel.environment = "prod"\n')).toThrow(/add the settings 'toolperf setup codex' prints by hand/);
  });

  it('says what is sent and what is kept out, and needs no environment', () => {
    const { notes, env } = codexSetup.plan({ endpoint: 'http://127.0.0.1:7318', home: '/home/me', project: '/p', env: {} });
    expect(env).toEqual({});
    expect(notes.join('\n')).toMatch(/codex\.tool_result/);
    expect(notes.join('\n')).toMatch(/arguments and output/);
  });
});

describe('toolperf setup codex', () => {
  it('prints the settings without writing, and --write merges them into $CODEX_HOME/config.toml, once', async () => {
    const home = await tempDir('toolperf-setup-codex-');
    removals.push(home.remove);
    const codexHome = join(home.path, 'codex');
    const path = join(codexHome, 'config.toml');
    const env = { HOME: home.path, CODEX_HOME: codexHome };

    const printed = await runToolperf(['setup', 'codex'], { env });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`# In ${path}`);
    expect(printed.stdout).toContain('exporter = { otlp-http = { endpoint = "http://127.0.0.1:7318/v1/logs", protocol = "json" } }');
    await expect(readFile(path, 'utf8')).rejects.toThrow(/ENOENT/);

    await mkdir(codexHome, { recursive: true });
    await writeFile(path, 'model = "o3"\n');
    const written = await runToolperf(['setup', 'codex', '--write'], { env });
    expect(written.stdout).toContain(`${path}: written`);
    expect(parse(await readFile(path, 'utf8'))).toEqual({ model: 'o3', otel: OURS, analytics: { enabled: false } });
    const again = await runToolperf(['setup', 'codex', '--write'], { env });
    expect(again.stdout).toContain(`${path}: already set`);
  });
});
