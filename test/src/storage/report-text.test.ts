import { describe, expect, it } from 'vitest';
import type { StoredSessionReport } from '../../../src/document/report.js';
import { digestInFirstLine, reportText } from '../../../src/storage/report-text.js';
import { DIGEST_FIELDS, DIGEST_FORMAT, digestOf } from '../../../src/storage/session-digest.js';
import { storedReport, T0 } from '../server/fixtures.js';

const report = (): StoredSessionReport =>
  storedReport('ses_1', T0, [{ tool: 'read', ms: 4 }, { tool: 'read', ms: 9, error: 'ENOENT' }, { tool: 'plan', ms: 300, operationType: 'llm-call' }]);

describe('reportText', () => {
  it('is the report as one JSON document, plus its digest', () => {
    const { digest, ...document } = JSON.parse(reportText(report())) as Record<string, unknown>;
    expect(document).toEqual(JSON.parse(JSON.stringify(report())));
    expect(DIGEST_FORMAT).toMatch(/^[0-9a-f]{8}$/);
    expect(DIGEST_FIELDS).toContain('sessionId startedAt updatedAt');
    expect(digest).toMatchObject({ format: DIGEST_FORMAT, summary: JSON.parse(JSON.stringify(digestOf(report()).summary)) });
    // Each tool as its fields in the format's order.
    const read = digestOf(report()).tools.find((tool) => tool.toolName === 'read')!;
    expect((digest as { toolFigures: unknown[] }).toolFigures).toContainEqual(['tool-execution', 'read', 2, 1, read.p50Ms, read.p95Ms]);
  });

  it('is not indented, and has a line per field, per operation type and per recent call', () => {
    const text = reportText(report());
    const lines = text.trimEnd().split('\n');
    expect(lines.every((line) => !line.startsWith(' '))).toBe(true);
    expect(lines[0]).toMatch(/^\{"schemaVersion":2,"digest":\{"format":/);
    expect(lines[1]).toBe('"sessionId":"ses_1",');
    expect(lines).toContain('"operations":{');
    expect(lines.filter((line) => /^"(tool-execution|llm-call)":\{"count"/.test(line))).toHaveLength(2);
    expect(lines.filter((line) => line.startsWith('{"operationType":'))).toHaveLength(3);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('keeps writers, and writes an empty session on few lines', () => {
    const empty: StoredSessionReport = { ...report(), operations: {}, recent: [], aggregates: {}, writers: { w1: 3 } };
    const text = reportText(empty);
    expect(JSON.parse(text)).toMatchObject({ writers: { w1: 3 }, recent: [], operations: {} });
    expect(text).toContain('\n"recent":[],\n');
  });

  it('refuses to write a report of another schema version', () => {
    expect(() => reportText({ ...report(), schemaVersion: 1 } as unknown as StoredSessionReport)).toThrow('schemaVersion 1');
  });
});

describe('digestInFirstLine', () => {
  const text = reportText(report());
  const firstLine = text.slice(0, text.indexOf('\n') + 1);

  it('reads the digest from the first line alone', () => {
    expect(digestInFirstLine(firstLine, 'ses_1')).toEqual(digestOf(report()));
  });

  it.each<[string, string]>([
    ['no line break yet', firstLine.slice(0, -1)],
    ['a report of another version (indented, no digest)', JSON.stringify(report(), null, 2)],
    ['a report written by hand on one line', `${JSON.stringify(report())}\n`],
    ['a digest of other fields (another format)', firstLine.replace(DIGEST_FORMAT, '0badf00d')],
    ['a digest whose JSON is cut', firstLine.replace('"summary":{', '"summary":{{')],
    ['a summary with a field this version does not know', firstLine.replace('"calls":3,', '"calls":3,"extra":1,')],
    ['a count that is not one', firstLine.replace('"calls":3,', '"calls":-3,')],
    ['a time that is not one', firstLine.replace(/"startedAt":"[^"]+"/, '"startedAt":"yesterday"')],
    ['a summary whose JSON ends early', firstLine.replace(/("tools":\[[^\]]*\])\}/, '$1')],
  ])('is undefined for %s (the report is then read whole)', (_label, prefix) => {
    expect(digestInFirstLine(prefix, 'ses_1')).toBeUndefined();
  });

  it.each<[string, string]>([
    ['a tool without a name', firstLine.replace('"tool-execution","read"', '"tool-execution",""')],
    ['a tool with a field missing', firstLine.replace('"tool-execution","read",', '"tool-execution",')],
    ['tool figures that are not JSON', firstLine.replace('"toolFigures":[[', '"toolFigures":[[[')],
  ])('reads %s as no tools, the summary as it is (tools are checked when first asked for)', (_label, prefix) => {
    const digest = digestInFirstLine(prefix, 'ses_1');
    expect(digest?.summary).toEqual(digestOf(report()).summary);
    expect(digest?.tools).toEqual([]);
  });

  it('carries the agent the calls came from, checked as the schema has it', () => {
    const withAgent = { ...report(), agent: { name: 'codex', version: '0.5.1' } };
    const text = reportText(withAgent);
    const line = text.slice(0, text.indexOf('\n') + 1);
    expect(digestInFirstLine(line, 'ses_1')?.summary.agent).toEqual({ name: 'codex', version: '0.5.1' });
    expect(digestInFirstLine(line.replace('"name":"codex"', '"name":""'), 'ses_1')).toBeUndefined();
    expect(digestInFirstLine(line.replace('"version":"0.5.1"', '"version":"0.5.1","extra":1'), 'ses_1')).toBeUndefined();
  });

  it("is undefined for another session's digest (a copied file)", () => {
    expect(digestInFirstLine(firstLine, 'ses_2')).toBeUndefined();
  });
});
