import { describe, expect, it } from 'vitest';
import { JsoncError, parseJsonc, removeJsoncValue, setJsoncValue } from '../../../../src/cli/setup/jsonc-edit.js';

const COMMENTED = `{
  // My theme.
  "ui": { "theme": "GitHub" },
  /* telemetry, once */
  "telemetry": {
    "enabled": false, // off for now
    "outfile": "/tmp/t.log"
  }
}
`;

describe('setJsoncValue', () => {
  it('replaces an existing value and keeps every other byte', () => {
    const edited = setJsoncValue(COMMENTED, ['telemetry', 'enabled'], true);
    expect(edited).toBe(COMMENTED.replace('"enabled": false,', '"enabled": true,'));
  });

  it('adds a property after the last one, its comma after the value and the line comment left on its line', () => {
    const text = '{\n  "a": 1 // one\n}\n';
    expect(setJsoncValue(text, ['b'], 'two')).toBe('{\n  "a": 1, // one\n  "b": "two"\n}\n');
  });

  it('creates the missing objects on the way, indented like the file', () => {
    const text = '{\n    "ui": {\n        "theme": "GitHub"\n    }\n}\n';
    expect(setJsoncValue(text, ['privacy', 'usageStatisticsEnabled'], false)).toBe(
      '{\n    "ui": {\n        "theme": "GitHub"\n    },\n    "privacy": {\n        "usageStatisticsEnabled": false\n    }\n}\n',
    );
  });

  it('fills an empty object as a block', () => {
    expect(setJsoncValue('{}', ['telemetry', 'enabled'], true)).toBe('{\n  "telemetry": {\n    "enabled": true\n  }\n}');
    expect(setJsoncValue('{\n  "general": {}\n}', ['general', 'enableAutoUpdate'], false)).toBe('{\n  "general": {\n    "enableAutoUpdate": false\n  }\n}');
  });

  it('adds inline to an object written on one line', () => {
    expect(setJsoncValue('{"a": {"b": 1}}', ['a', 'c'], 2)).toBe('{"a": {"b": 1, "c": 2}}');
  });

  it('replaces a non-object on the way by the object the path needs', () => {
    expect(parseJsonc(setJsoncValue('{ "telemetry": true }', ['telemetry', 'enabled'], true))).toEqual({ telemetry: { enabled: true } });
  });

  it('starts a document from an empty text, keeping a text of comments only', () => {
    expect(setJsoncValue('', ['a', 'b'], 1)).toBe('{\n  "a": {\n    "b": 1\n  }\n}\n');
    expect(setJsoncValue('// nothing yet\n', ['a'], 1)).toBe('// nothing yet\n{\n  "a": 1\n}\n');
  });

  it('edits the last of duplicate keys, the one JSON.parse keeps', () => {
    const edited = setJsoncValue('{"a": 1, "a": 2}', ['a'], 3);
    expect(edited).toBe('{"a": 1, "a": 3}');
    expect(parseJsonc(edited)).toEqual({ a: 3 });
  });

  it('leaves strings that look like comments or braces alone', () => {
    const text = '{\n  "url": "http://x/*y*/", // real\n  "s": "{\\"q\\": 1}"\n}';
    expect(parseJsonc(setJsoncValue(text, ['n'], 1))).toEqual({ url: 'http://x/*y*/', s: '{"q": 1}', n: 1 });
  });

  it('refuses what is not JSON with comments, or not an object, naming the line', () => {
    expect(() => setJsoncValue('{\n  "a": 1,\n}', ['b'], 1)).toThrow(JsoncError);
    expect(() => setJsoncValue('{\n  "a": 1,\n}', ['b'], 1)).toThrow(/line 3/);
    expect(() => setJsoncValue('[1]', ['b'], 1)).toThrow(/not a JSON object/);
    expect(() => setJsoncValue('{"a": 1} x', ['b'], 1)).toThrow(JsoncError);
  });
});

describe('removeJsoncValue', () => {
  it('removes a middle property with its comma and line', () => {
    expect(removeJsoncValue('{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}', ['b'])).toBe('{\n  "a": 1,\n  "c": 3\n}');
  });

  it("removes the last property with the previous one's comma", () => {
    expect(removeJsoncValue(COMMENTED, ['telemetry', 'outfile'])).toBe(COMMENTED.replace(', // off for now\n    "outfile": "/tmp/t.log"', ''));
    expect(parseJsonc(removeJsoncValue(COMMENTED, ['telemetry', 'outfile']))).toEqual({ ui: { theme: 'GitHub' }, telemetry: { enabled: false } });
  });

  it('removes an only property, and leaves a text without the path as it is', () => {
    expect(removeJsoncValue('{\n  "a": 1\n}', ['a'])).toBe('{\n}');
    expect(removeJsoncValue(COMMENTED, ['telemetry', 'nothing'])).toBe(COMMENTED);
    expect(removeJsoncValue(COMMENTED, ['ui', 'theme', 'deeper'])).toBe(COMMENTED);
  });
});

describe('parseJsonc', () => {
  it('reads JSON with line and block comments and a byte-order mark', () => {
    expect(parseJsonc('\uFEFF{ /* a */ "a": [1, {"b": null}] // c\n}')).toEqual({ a: [1, { b: null }] });
    expect(parseJsonc('  // only a comment\n')).toBeUndefined();
  });
});
