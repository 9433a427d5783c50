import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SetupMergeError, type SetupOptions } from '../../../../src/cli/setup/agent-setup.js';
import { AGENT_SETUPS } from '../../../../src/cli/setup/agents.js';
import { geminiCliSetup } from '../../../../src/cli/setup/gemini-cli.js';
import { parseJsonc } from '../../../../src/cli/setup/jsonc-edit.js';

const endpoint = 'http://127.0.0.1:7318';
const OPTIONS: SetupOptions = { endpoint, home: '/home/u', project: '/work/p', env: {} };

function settingsFile(options: Partial<SetupOptions> = {}) {
  const file = geminiCliSetup.plan({ ...OPTIONS, ...options }).files[0];
  if (file === undefined) throw new Error('no settings file');
  return file;
}

const OURS = {
  telemetry: { enabled: true, target: 'local', otlpEndpoint: endpoint, otlpProtocol: 'http', logPrompts: false, traces: false },
  privacy: { usageStatisticsEnabled: false },
  general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
};

describe('toolperf setup gemini-cli', () => {
  it('is listed for the setup command', () => {
    expect(AGENT_SETUPS.find((agent) => agent.id === 'gemini-cli')).toBe(geminiCliSetup);
  });

  it("writes the user's ~/.gemini/settings.json, under $GEMINI_CLI_HOME when that is set, and needs no environment", () => {
    expect(settingsFile().path).toBe(join('/home/u', '.gemini', 'settings.json'));
    expect(settingsFile({ env: { GEMINI_CLI_HOME: '/elsewhere' } }).path).toBe(join('/elsewhere', '.gemini', 'settings.json'));
    expect(geminiCliSetup.plan(OPTIONS).env).toEqual({});
  });

  it('sets telemetry over OTLP/HTTP to the endpoint without prompts or trace payloads, and the other traffic off', () => {
    expect(parseJsonc(settingsFile().merge(undefined))).toEqual(OURS);
    expect(parseJsonc(settingsFile().snippet)).toEqual(OURS);
  });

  it('keeps what the file has: other keys, other telemetry keys, comments', () => {
    const existing = [
      '{',
      '  // auth for the proxy',
      '  "security": { "auth": { "selectedType": "gemini-api-key" } },',
      '  "general": { "vimMode": true, "enableAutoUpdate": true },',
      '  "telemetry": { "useCollector": true, "logPrompts": true }',
      '}',
      '',
    ].join('\n');
    const merged = settingsFile().merge(existing);
    expect(merged).toContain('// auth for the proxy');
    expect(parseJsonc(merged)).toEqual({
      security: { auth: { selectedType: 'gemini-api-key' } },
      general: { vimMode: true, enableAutoUpdate: false, enableAutoUpdateNotification: false },
      telemetry: { ...OURS.telemetry, useCollector: true },
      privacy: OURS.privacy,
    });
  });

  it('removes telemetry.outfile, which Gemini CLI would write to instead of the endpoint, and says so', () => {
    const merged = settingsFile().merge('{ "telemetry": { "target": "gcp", "outfile": ".gemini/telemetry.log" } }');
    expect(parseJsonc(merged)).toEqual(OURS);
    expect(geminiCliSetup.plan(OPTIONS).notes.join('\n')).toMatch(/outfile is removed/);
  });

  it('is idempotent', () => {
    const file = settingsFile();
    const once = file.merge('{\n  "ui": { "theme": "GitHub" } // mine\n}\n');
    expect(file.merge(once)).toBe(once);
    expect(file.merge(file.merge(undefined))).toBe(file.merge(undefined));
  });

  it('refuses a file it cannot read rather than writing over it', () => {
    expect(() => settingsFile().merge('{ "telemetry": ')).toThrow(SetupMergeError);
    expect(() => settingsFile().merge('[]')).toThrow(/not a JSON object/);
  });

  it('names the variables of this environment that Gemini CLI reads before the file', () => {
    expect(geminiCliSetup.plan(OPTIONS).notes.join('\n')).not.toMatch(/Set in this environment/);
    const notes = geminiCliSetup.plan({ ...OPTIONS, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', HOME: '/home/u' } }).notes;
    expect(notes.join('\n')).toMatch(/Set in this environment, and read before the file: OTEL_EXPORTER_OTLP_ENDPOINT\./);
  });
});
