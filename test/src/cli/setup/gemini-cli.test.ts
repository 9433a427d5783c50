import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setupGeminiCli } from '../../../../src/cli/setup/gemini-cli.js';
import { parseJsonc } from '../../../../src/cli/setup/jsonc-edit.js';

const endpoint = 'http://127.0.0.1:7318';

function settingsFile(options: Parameters<typeof setupGeminiCli>[0] = { endpoint, home: '/home/u' }) {
  const file = setupGeminiCli(options).files[0];
  if (file === undefined) throw new Error('no settings file');
  return file;
}

const OURS = {
  telemetry: { enabled: true, target: 'local', otlpEndpoint: endpoint, otlpProtocol: 'http', logPrompts: false, traces: false },
  privacy: { usageStatisticsEnabled: false },
  general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
};

describe('setupGeminiCli', () => {
  it("writes the user's ~/.gemini/settings.json, or the project's with scope project", () => {
    expect(settingsFile().path).toBe(join('/home/u', '.gemini', 'settings.json'));
    expect(settingsFile({ endpoint, scope: 'project', cwd: '/work/p' }).path).toBe(join('/work/p', '.gemini', 'settings.json'));
  });

  it('sets telemetry over OTLP/HTTP to the endpoint without prompts, and the other traffic off', () => {
    expect(parseJsonc(settingsFile().merge(undefined))).toEqual(OURS);
    // The base URL as Gemini CLI wants it: it appends v1/logs itself.
    expect(parseJsonc(settingsFile({ endpoint: `${endpoint}/` }).merge(undefined))).toEqual(OURS);
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

  it('removes telemetry.outfile, which Gemini CLI would write to instead of the endpoint', () => {
    const merged = settingsFile().merge('{ "telemetry": { "target": "gcp", "outfile": ".gemini/telemetry.log" } }');
    expect(parseJsonc(merged)).toEqual(OURS);
    expect(setupGeminiCli({ endpoint }).notes.join('\n')).toMatch(/outfile/);
  });

  it('is idempotent', () => {
    const file = settingsFile();
    const once = file.merge('{\n  "ui": { "theme": "GitHub" } // mine\n}\n');
    expect(file.merge(once)).toBe(once);
    expect(file.merge(file.merge(undefined))).toBe(file.merge(undefined));
  });

  it('refuses a file it cannot read rather than overwriting it', () => {
    expect(() => settingsFile().merge('{ "telemetry": ')).toThrow(/expected/);
    expect(() => settingsFile().merge('[]')).toThrow(/not a JSON object/);
  });

  it('prints the settings as they will read, and needs no environment', () => {
    const setup = setupGeminiCli({ endpoint });
    expect(parseJsonc(setup.files[0]?.excerpt ?? '')).toEqual(OURS);
    expect(setup.env).toEqual({});
  });
});
