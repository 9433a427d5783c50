import { describe, expect, it } from 'vitest';
import { SetupMergeError } from '../../../../src/cli/setup/agent-setup.js';
import { AGENT_SETUPS } from '../../../../src/cli/setup/agents.js';
import { claudeCodePlan, claudeCodeSetup } from '../../../../src/cli/setup/claude-code.js';

const endpoint = 'http://127.0.0.1:7318';

function settingsFile(options: Partial<Parameters<typeof claudeCodePlan>[0]> = {}) {
  const plan = claudeCodePlan({ endpoint, home: '/home/me', env: {}, ...options });
  expect(plan.files).toHaveLength(1);
  return { plan, file: plan.files[0] as (typeof plan.files)[number] };
}

const envOf = (text: string) => (JSON.parse(text) as { env: Record<string, string> }).env;

describe('claudeCodeSetup', () => {
  it('is the setup of `toolperf setup claude-code`, and its plan is the one without traces', () => {
    expect(AGENT_SETUPS).toContain(claudeCodeSetup);
    expect(claudeCodeSetup).toMatchObject({ id: 'claude-code', title: 'Claude Code' });
    const plan = claudeCodeSetup.plan({ endpoint, home: '/home/me', project: '/work/p', env: {} });
    expect(plan.files.map((f) => f.snippet)).toEqual(settingsFile().plan.files.map((f) => f.snippet));
  });

  it("writes the user settings (a project's cannot turn telemetry on), or $CLAUDE_CONFIG_DIR's; nothing to export", () => {
    expect(settingsFile().file.path).toBe('/home/me/.claude/settings.json');
    expect(settingsFile({ env: { CLAUDE_CONFIG_DIR: '/etc/claude-me' } }).file.path).toBe('/etc/claude-me/settings.json');
    expect(settingsFile({ env: { CLAUDE_CONFIG_DIR: '' } }).file.path).toBe('/home/me/.claude/settings.json');
    expect(settingsFile().plan.env).toEqual({});
  });

  it('sends logs to the endpoint with every content variable off; the beta traces only when asked', () => {
    const { file } = settingsFile();
    expect(envOf(file.snippet)).toEqual({
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_LOG_USER_PROMPTS: '0',
      OTEL_LOG_ASSISTANT_RESPONSES: '0',
      OTEL_LOG_TOOL_DETAILS: '0',
      OTEL_LOG_TOOL_CONTENT: '0',
      OTEL_LOG_RAW_API_BODIES: '0',
    });
    const traced = settingsFile({ traces: true, endpoint: 'http://127.0.0.1:9999' }).file;
    expect(envOf(traced.snippet)).toMatchObject({ CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9999' });
    expect(envOf(file.snippet)).not.toHaveProperty('OTEL_TRACES_EXPORTER');
    expect(envOf(file.snippet)).not.toHaveProperty('OTEL_METRICS_EXPORTER');
  });

  it('makes a settings file when there is none (or it is empty): the snippet itself', () => {
    const { file } = settingsFile();
    expect(file.merge(undefined)).toBe(file.snippet);
    expect(file.merge('  \n')).toBe(file.snippet);
    expect(file.snippet.endsWith('}\n')).toBe(true);
  });

  it('keeps every other setting and env variable, sets its own (a prompt-logging 1 becomes 0), and is idempotent', () => {
    const { file } = settingsFile();
    const existing = JSON.stringify({
      model: 'opus',
      permissions: { allow: ['Bash(npm test:*)'] },
      env: { MY_VAR: 'kept', OTEL_LOG_USER_PROMPTS: '1', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      hooks: {},
    });
    const merged = file.merge(existing);
    const parsed = JSON.parse(merged) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['model', 'permissions', 'env', 'hooks']);
    expect(parsed).toMatchObject({ model: 'opus', permissions: { allow: ['Bash(npm test:*)'] }, hooks: {} });
    expect(parsed.env).toEqual({ ...envOf(file.snippet), MY_VAR: 'kept' });
    expect(Object.keys(parsed.env as object)[0]).toBe('MY_VAR');
    expect(file.merge(merged)).toBe(merged);
  });

  it('refuses to merge into what it cannot read (a SetupMergeError: the command writes nothing)', () => {
    const { file } = settingsFile();
    expect(() => file.merge('{ "model": ')).toThrow(SetupMergeError);
    expect(() => file.merge('{ "model": ')).toThrow(/not valid JSON/);
    expect(() => file.merge('[]')).toThrow(/not a JSON object/);
    expect(() => file.merge('{"env": "x"}')).toThrow(/"env" is not an object/);
  });

  it('says what the report will not have, where the settings must live, and how to add the traces', () => {
    const notes = settingsFile().plan.notes.join('\n');
    expect(notes).toMatch(/project's \.claude\/settings\.json cannot turn telemetry on/);
    expect(notes).toMatch(/unknown tool/);
    expect(notes).toMatch(/CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1 and OTEL_TRACES_EXPORTER=otlp/);
  });
});
