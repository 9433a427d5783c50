import { DDSketch } from '@datadog/sketches-js';
import { describe, expect, it } from 'vitest';
import { isStoredReportProblem, storedReportCheckSync } from '../../../src/document/check-stored-report.js';
import type { StoredSessionReport } from '../../../src/document/report.js';
import { decodeSketch } from '../../../src/document/stored-sketch.js';
import { storedReport, T0 } from '../server/fixtures.js';
import { legacyReport } from '../../helpers/legacy-report.js';

const check = storedReportCheckSync();
const good = (): StoredSessionReport => JSON.parse(JSON.stringify(storedReport('ses_1', T0, [{ tool: 'read', ms: 4 }, { tool: 'read', ms: 9 }]))) as StoredSessionReport;

function problemOf(doc: unknown): string {
  const checked = check(doc);
  if (!isStoredReportProblem(checked)) throw new Error('expected a problem');
  return `${checked.kind}: ${checked.message}`;
}

describe('checkStoredReport', () => {
  it('returns a report this version wrote', () => {
    expect(check(good())).toEqual(good());
  });

  it('checks every sketch: one that cannot be merged is corrupt, named by its place, keys shown as *', () => {
    const doc = good();
    doc.aggregates['tool-execution']!.tools.read!.sketch = { keys: [5, 2], counts: [1, 1] };
    expect(problemOf(doc)).toBe('corrupt: aggregates.*.tools.*.sketch: has keys out of order');
    const all = good();
    all.aggregates['tool-execution']!.all.sketch = { keys: [], counts: [] };
    expect(problemOf(all)).toBe('corrupt: aggregates.*.all.sketch: holds no values where the statistics count 2');
    const shape = good() as unknown as { aggregates: Record<string, { all: { sketch: unknown } }> };
    shape.aggregates['tool-execution']!.all.sketch = 'AAAA';
    expect(problemOf(shape)).toMatch(/^corrupt: aggregates\.\*\.all\.sketch: /);
  });

  it('reads a report with recommendations and argument fingerprints, and one without (written before them)', () => {
    const doc = good();
    expect(doc).not.toHaveProperty('recommendations');
    expect(check(doc)).toEqual(doc);
    doc.recent[0]!.argumentsFingerprint = 'RsSlqwPJHVG7_4dD6lyunQ';
    doc.recommendations = [
      { kind: 'dominant-tool', operationType: 'tool-execution', tool: 'read', severity: 'warning', evidence: { share: 0.9, errorType: 'ENOENT' }, estimatedSavingMs: 12.5, advice: 'Cache it.' },
    ];
    expect(check(doc)).toEqual(doc);
  });

  it('refuses a recommendation of an unknown severity or a number that is not finite, naming its place', () => {
    const doc = good() as unknown as { recommendations: unknown[] };
    const recommendation = { kind: 'heavy-tail', operationType: 'tool-execution', tool: 'read', severity: 'urgent', evidence: {}, estimatedSavingMs: 1, advice: '' };
    doc.recommendations = [recommendation];
    expect(problemOf(doc)).toMatch(/^corrupt: recommendations\.0\.severity: /);
    doc.recommendations = [{ ...recommendation, severity: 'info', estimatedSavingMs: Number.POSITIVE_INFINITY }];
    expect(problemOf(doc)).toMatch(/^corrupt: recommendations\.0\.estimatedSavingMs: /);
  });

  it('leaves the sketch of a state of no calls alone (never decoded by a reader)', () => {
    const doc = good();
    doc.aggregates['tool-execution']!.tools.idle = { ...doc.aggregates['tool-execution']!.tools.read!, count: 0, errors: 0, sketch: { keys: [], counts: [] } };
    expect(isStoredReportProblem(check(doc))).toBe(false);
  });

  it('never quotes the document: keys that are not field names are *, values never shown', () => {
    const doc = { ...good(), operations: { '/etc/passwd root:x:0:0': { count: 'root:x:0:0' } } };
    const problem = problemOf(doc);
    expect(problem).toMatch(/^corrupt: operations\.\*\.count: /);
    expect(problem).not.toContain('root');
    expect(problem).not.toContain('passwd');
  });

  it('says which newer schema version it cannot read', () => {
    expect(problemOf({ ...good(), schemaVersion: 7 })).toBe('newer: schemaVersion 7 is newer than this version of toolperf reads (2)');
  });
});

describe('checkStoredReport of a schemaVersion 1 report (dense protobuf sketches, base64)', () => {
  it('migrates it: version 2, the same statistics, each sketch as its bins with the same percentiles', () => {
    const current = good();
    const checked = check(legacyReport(current));
    if (isStoredReportProblem(checked)) throw new Error(checked.message);
    expect(checked).toEqual(current);
    const sketch = decodeSketch(checked.aggregates['tool-execution']!.tools.read!.sketch);
    expect(sketch.count).toBe(2);
  });

  it.each<[string, () => string, string]>([
    ['empty bytes', () => '', 'does not decode'],
    ['a truncated protobuf', () => 'AAAA', 'does not decode'],
    ['bytes that are not a sketch', () => Buffer.from('root:x:0:0:root:/root:/bin/bash').toString('base64'), 'does not decode'],
    [
      'a sketch of another relative accuracy',
      () => {
        const other = new DDSketch({ relativeAccuracy: 0.02 });
        other.accept(4);
        other.accept(9);
        return Buffer.from(other.toProto()).toString('base64');
      },
      'was made with other sketch parameters',
    ],
    [
      'negative values',
      () => {
        const below = new DDSketch({ relativeAccuracy: 0.005 });
        below.accept(-5);
        below.accept(-6);
        return Buffer.from(below.toProto()).toString('base64');
      },
      'has negative values',
    ],
  ])('%s: corrupt (and the message quotes nothing)', (_label, sketch, problem) => {
    const doc = legacyReport(good()) as { aggregates: Record<string, { tools: Record<string, { sketch: string }> }> };
    doc.aggregates['tool-execution']!.tools.read!.sketch = sketch();
    expect(problemOf(doc)).toBe(`corrupt: aggregates.*.tools.*.sketch: ${problem}`);
  });
});
