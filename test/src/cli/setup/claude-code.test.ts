import { describe, expect, it } from 'vitest';
import { setupClaudeCode } from '../../../../src/cli/setup/claude-code.js';

const endpoint = 'http://127.0.0.1:7318';

function settingsFile(options: Partial<Parameters<typeof setupClaudeCode>[0]> = {}) {
  const setup = setupClaudeCode({ endpoint, home: '/home/me', ...options });
  expect(setup.files).toHaveLength(1);
  return { setup, file: setup.files[0] as (typeof setup.files)[number] };
}

describe('setupClaudeCode', () => {
  it("writes the user settings (a project's cannot turn telemetry on), or $CLAUDE_CONFIG_DIR's", () => {
    expect(settingsFile().file.path).toBe('/home/me/.claude/settings.json');
    expect(settingsFile({ configDir: '/etc/claude-me' }).file.path).toBe('/etc/claude-me/settings.json');
    expect(settingsFile({ configDir: '' }).file.path).toBe('/home/me/.claude/settings.json');
  });

  it('sends logs to the endpoint with every content variable off; traces only when asked', () => {
    const { setup } = settingsFile();
    expect(setup.env).toEqual({
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
    const traced = settingsFile({ traces: true, endpoint: 'http://127.0.0.1:9999' }).setup;
    expect(traced.env).toMatchObject({ CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9999' });
    expect(setup.env).not.toHaveProperty('OTEL_TRACES_EXPORTER');
    expect(setup.env).not.toHaveProperty('OTEL_METRICS_EXPORTER');
  });

  it('makes a settings file when there is none (or it is empty)', () => {
    const { setup, file } = settingsFile();
    expect(JSON.parse(file.merge(undefined))).toEqual({ env: setup.env });
    expect(file.merge('  \n')).toBe(file.merge(undefined));
    expect(file.merge(undefined).endsWith('}\n')).toBe(true);
  });

  it('keeps every other setting and env variable, sets its own (a prompt-logging 1 becomes 0), and is idempotent', () => {
    const { setup, file } = settingsFile();
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
    expect(parsed.env).toEqual({ ...setup.env, MY_VAR: 'kept' });
    expect(Object.keys(parsed.env as object)[0]).toBe('MY_VAR');
    expect(file.merge(merged)).toBe(merged);
  });

  it('refuses to merge into what it cannot read, naming the file', () => {
    const { file } = settingsFile();
    expect(() => file.merge('{ "model": ')).toThrow(/\/home\/me\/\.claude\/settings\.json is not valid JSON/);
    expect(() => file.merge('[]')).toThrow(/does not hold a JSON object/);
    expect(() => file.merge('{"env": "x"}')).toThrow(/"env" is not an object/);
  });

  it('says what the report will not have, and where the settings must live', () => {
    const { notes } = settingsFile().setup;
    expect(notes.join('\n')).toMatch(/project's \.claude\/settings\.json cannot turn telemetry on/);
    expect(notes.join('\n')).toMatch(/unknown tool/);
  });
});
