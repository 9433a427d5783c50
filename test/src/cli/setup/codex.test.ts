import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../../src/cli/cli-error.js';
import { setupCodex } from '../../../../src/cli/setup/codex.js';

function configFile(options: Parameters<typeof setupCodex>[0] = {}) {
  const [file] = setupCodex({ homeDir: '/home/me', env: {}, ...options }).files;
  if (file === undefined) throw new Error('no file');
  return file;
}

describe('setupCodex', () => {
  it('writes Codex\'s config.toml under CODEX_HOME, else ~/.codex', () => {
    expect(configFile().path).toBe(join('/home/me', '.codex', 'config.toml'));
    expect(configFile({ env: { CODEX_HOME: '/srv/codex' } }).path).toBe(join('/srv/codex', 'config.toml'));
    expect(configFile({ env: { CODEX_HOME: '' } }).path).toBe(join('/home/me', '.codex', 'config.toml'));
    expect(configFile({ env: { CODEX_HOME: '/srv/codex' }, codexHome: '/tmp/h' }).path).toBe(join('/tmp/h', 'config.toml'));
  });

  it('sends Codex\'s log records to toolperf\'s /v1/logs as OTLP JSON, no metrics, no prompts, no analytics', () => {
    const written = parse(configFile().merge(undefined));
    expect(written).toEqual({
      otel: {
        exporter: { 'otlp-http': { endpoint: 'http://127.0.0.1:7318/v1/logs', protocol: 'json' } },
        metrics_exporter: 'none',
        log_user_prompt: false,
        log_agent_responses: false,
      },
      analytics: { enabled: false },
    });
    // The printed block is the same settings.
    expect(parse(configFile().text)).toEqual(written);
  });

  it('takes the endpoint of another toolperf serve, with or without a trailing slash, and refuses one that is not http(s)', () => {
    const logsEndpoint = (endpoint: string) => (parse(configFile({ endpoint }).merge(undefined)) as { otel: { exporter: { 'otlp-http': { endpoint: string } } } }).otel.exporter['otlp-http'].endpoint;
    expect(logsEndpoint('http://10.0.0.5:9000/')).toBe('http://10.0.0.5:9000/v1/logs');
    expect(logsEndpoint('https://perf.example.com/toolperf')).toBe('https://perf.example.com/toolperf/v1/logs');
    expect(() => setupCodex({ endpoint: 'localhost:7318' })).toThrow(CliError);
    expect(() => setupCodex({ endpoint: 'not a url' })).toThrow(/must be an http\(s\) URL/);
  });

  it('merges into a config that is there: its keys kept, ours set, the same file again unchanged', () => {
    const existing = '# mine\nmodel = "o3"\napproval_policy = "on-request"\n\n[otel]\nenvironment = "prod"\ntrace_exporter = { otlp-grpc = { endpoint = "https://jaeger:4317" } }\n\n[mcp_servers.docs]\ncommand = "docs-mcp"\n';
    const file = configFile();
    const merged = file.merge(existing);
    expect(merged.startsWith('# mine\nmodel = "o3"\napproval_policy = "on-request"\n\n[otel]\nenvironment = "prod"\n')).toBe(true);
    expect(parse(merged)).toEqual({
      model: 'o3',
      approval_policy: 'on-request',
      otel: {
        environment: 'prod',
        trace_exporter: { 'otlp-grpc': { endpoint: 'https://jaeger:4317' } },
        exporter: { 'otlp-http': { endpoint: 'http://127.0.0.1:7318/v1/logs', protocol: 'json' } },
        metrics_exporter: 'none',
        log_user_prompt: false,
        log_agent_responses: false,
      },
      mcp_servers: { docs: { command: 'docs-mcp' } },
      analytics: { enabled: false },
    });
    expect(file.merge(merged)).toBe(merged);
  });

  it('leaves a file it cannot merge safely as it is, with a CliError that says what to do', () => {
    const file = configFile();
    expect(() => file.merge('[otel\n')).toThrow(CliError);
    expect(() => file.merge('otel.environment = "prod"\n')).toThrow(/add the settings printed by 'toolperf setup codex' by hand/);
  });

  it('says what is sent and what is kept out', () => {
    const { notes, env } = setupCodex({ homeDir: '/home/me', env: {} });
    expect(env).toEqual({});
    expect(notes.join('\n')).toMatch(/codex\.tool_result/);
    expect(notes.join('\n')).toMatch(/arguments and output/);
  });
});
