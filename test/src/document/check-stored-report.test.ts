import { describe, expect, it } from 'vitest';
import { isStoredReportProblem, storedReportCheckSync } from '../../../src/document/check-stored-report.js';
import type { StoredSessionReport } from '../../../src/document/report.js';
import { storedReport, T0 } from '../server/fixtures.js';

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

  it('decodes every sketch: one that does not is corrupt, named by its place, keys shown as *', () => {
    const doc = good();
    doc.aggregates['tool-execution']!.tools.read!.sketch = '';
    expect(problemOf(doc)).toBe('corrupt: aggregates.*.tools.*.sketch: does not decode');
    const all = good();
    all.aggregates['tool-execution']!.all.sketch = 'AAAA';
    expect(problemOf(all)).toBe('corrupt: aggregates.*.all.sketch: does not decode');
  });

  it('leaves the sketch of a state of no calls alone (never decoded by a reader)', () => {
    const doc = good();
    doc.aggregates['tool-execution']!.tools.idle = { ...doc.aggregates['tool-execution']!.tools.read!, count: 0, errors: 0, sketch: '' };
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
    expect(problemOf({ ...good(), schemaVersion: 7 })).toBe('newer: schemaVersion 7 is newer than this version of toolperf reads (1)');
  });
});
