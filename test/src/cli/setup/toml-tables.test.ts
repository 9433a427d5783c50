import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { formatTomlValue, setTomlTables, TomlMergeError, type TomlTableSettings } from '../../../../src/cli/setup/toml-tables.js';

const OTEL: TomlTableSettings[] = [
  { table: 'otel', values: { exporter: { 'otlp-http': { endpoint: 'http://127.0.0.1:7318/v1/logs', protocol: 'json' } }, log_user_prompt: false } },
  { table: 'analytics', values: { enabled: false } },
];
const OUR_EXPORTER = { 'otlp-http': { endpoint: 'http://127.0.0.1:7318/v1/logs', protocol: 'json' } };

describe('setTomlTables', () => {
  it('appends the tables to an empty document and to one without them', () => {
    const empty = setTomlTables('', OTEL);
    expect(empty).toBe('[otel]\nexporter = { otlp-http = { endpoint = "http://127.0.0.1:7318/v1/logs", protocol = "json" } }\nlog_user_prompt = false\n\n[analytics]\nenabled = false\n');
    const other = setTomlTables('model = "o3"\n\n[tui]\nnotifications = true\n', OTEL);
    expect(other.startsWith('model = "o3"\n\n[tui]\nnotifications = true\n\n[otel]\n')).toBe(true);
    expect(parse(other)).toEqual({ model: 'o3', tui: { notifications: true }, otel: { exporter: OUR_EXPORTER, log_user_prompt: false }, analytics: { enabled: false } });
  });

  it('keeps what is there, comments and layout included, and replaces only the keys it sets', () => {
    const existing = [
      '# my settings',
      'model = "o3"   # the model',
      '',
      '[otel]',
      '# where the logs go',
      'environment = "prod"',
      'exporter = { otlp-grpc = { endpoint = "https://collector:4317" } }',
      'log_user_prompt = true',
      '',
      '[analytics]',
      'enabled = true',
      '',
      '[projects."/home/me/work"]',
      'trust_level = "trusted"',
      '',
    ].join('\n');
    const merged = setTomlTables(existing, OTEL);
    expect(merged).toBe(
      [
        '# my settings',
        'model = "o3"   # the model',
        '',
        '[otel]',
        '# where the logs go',
        'environment = "prod"',
        'exporter = { otlp-http = { endpoint = "http://127.0.0.1:7318/v1/logs", protocol = "json" } }',
        'log_user_prompt = false',
        '',
        '[analytics]',
        'enabled = false',
        '',
        '[projects."/home/me/work"]',
        'trust_level = "trusted"',
        '',
      ].join('\n'),
    );
  });

  it('is idempotent: a document with the settings already comes back unchanged, byte for byte', () => {
    const once = setTomlTables('# keep me\n[otel]\nenvironment = "dev"\n', OTEL);
    expect(setTomlTables(once, OTEL)).toBe(once);
    // Set the same values in another layout: left as the user wrote them.
    const ownLayout = '[otel.exporter.otlp-http]\nendpoint = "http://127.0.0.1:7318/v1/logs"\nprotocol = "json"\n\n[otel]\nlog_user_prompt = false\n\n[analytics]\nenabled = false';
    expect(setTomlTables(ownLayout, OTEL)).toBe(ownLayout);
  });

  it('replaces a key written as sub-tables, as dotted keys, or over several lines', () => {
    const subTables = '[otel]\nenvironment = "x"\n\n[otel.exporter."otlp-http"]\nendpoint = "https://a/v1/logs"\nprotocol = "binary"\n\n[otel.exporter."otlp-http".headers]\n"x-key" = "k"\n\n[tui]\nx = 1\n';
    expect(setTomlTables(subTables, OTEL)).toBe(`[otel]\nenvironment = "x"\nexporter = ${formatTomlValue(OUR_EXPORTER)}\nlog_user_prompt = false\n\n[tui]\nx = 1\n\n[analytics]\nenabled = false\n`);
    // A comment between the removed section's statements stays; a line of a string in it that looks like one goes with it.
    const withText = '[otel.exporter.otlp-http]\n# my collector\nendpoint = """\n# not a comment\n"""\n';
    expect(setTomlTables(withText, OTEL)).toBe(`# my collector\n\n[otel]\nexporter = ${formatTomlValue(OUR_EXPORTER)}\nlog_user_prompt = false\n\n[analytics]\nenabled = false\n`);
    const dotted = '[otel]\nexporter.otlp-http.endpoint = "https://a/v1/logs"\nexporter.otlp-http.protocol = "binary"\nenvironment = "x"\n';
    expect(setTomlTables(dotted, OTEL)).toBe(`[otel]\nexporter = ${formatTomlValue(OUR_EXPORTER)}\nenvironment = "x"\nlog_user_prompt = false\n\n[analytics]\nenabled = false\n`);
    const multiLine = '[otel]\nexporter = { otlp-http = {\n  endpoint = "https://a/v1/logs",\n  protocol = "binary",\n}}\nenvironment = "x"\n';
    expect(setTomlTables(multiLine, OTEL)).toBe(`[otel]\nexporter = ${formatTomlValue(OUR_EXPORTER)}\nenvironment = "x"\nlog_user_prompt = false\n\n[analytics]\nenabled = false\n`);
  });

  it('does not take a line of a multi-line string or array for a table header', () => {
    const tricky = 'notes = """\n[otel]\nexporter = "none"\n"""\nmatrix = [\n  [1, 2],\n]\n';
    const merged = setTomlTables(tricky, OTEL);
    expect(merged.startsWith(tricky)).toBe(true);
    expect(parse(merged)).toMatchObject({ notes: '[otel]\nexporter = "none"\n', matrix: [[1, 2]], otel: { exporter: OUR_EXPORTER } });
  });

  it('keeps CRLF line ends', () => {
    expect(setTomlTables('model = "o3"\r\n[otel]\r\nenvironment = "x"\r\n', OTEL)).toBe(
      `model = "o3"\r\n[otel]\r\nenvironment = "x"\r\nexporter = ${formatTomlValue(OUR_EXPORTER)}\r\nlog_user_prompt = false\r\n\r\n[analytics]\r\nenabled = false\r\n`,
    );
  });

  it('refuses, rather than guess, a table written as top-level dotted keys or inline, and a document that is not TOML', () => {
    expect(() => setTomlTables('otel.environment = "x"\n', OTEL)).toThrow(TomlMergeError);
    expect(() => setTomlTables('otel = { environment = "x" }\n', OTEL)).toThrow(TomlMergeError);
    expect(() => setTomlTables('otel = "x"\n', OTEL)).toThrow(/"otel" is not a table/);
    expect(() => setTomlTables('[otel\nx = 1\n', OTEL)).toThrow(/not valid TOML/);
  });
});

describe('formatTomlValue', () => {
  it('writes strings, booleans, numbers and inline tables on one line, quoting keys that need it', () => {
    expect(formatTomlValue('a "quoted"\nline')).toBe('"a \\"quoted\\"\\nline"');
    expect(formatTomlValue({ 'x.y': 1, ok: true })).toBe('{ "x.y" = 1, ok = true }');
    expect(parse(`v = ${formatTomlValue({ a: { 'b c': 'd' } })}`)).toEqual({ v: { a: { 'b c': 'd' } } });
  });
});
