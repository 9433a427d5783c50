import { describe, expect, it } from 'vitest';
import { isStoredReportProblem, storedReportCheckSync } from '../../../../src/document/check-stored-report.js';
import { MAX_ALERTS_PER_SESSION, type SessionAlert, type StoredSessionReport } from '../../../../src/document/report.js';
import { summarize } from '../../../../src/document/session-summary.js';
import { resolveAlerts } from '../../../../src/reports/alerts/alert-rules.js';
import { mergeAlerts } from '../../../../src/reports/alerts/merge-alerts.js';
import { RuleIndex } from '../../../../src/reports/alerts/rule-index.js';
import { checkedSummary, digestOf } from '../../../../src/storage/session-digest.js';
import { storedReport, T0 } from '../../server/fixtures.js';

const at = (ms: number) => new Date(T0 + ms).toISOString();
const alert = (overrides: Partial<SessionAlert> = {}): SessionAlert => ({
  rule: 'slow-call:read', kind: 'slow-call', operationType: 'tool-execution', toolName: 'read', state: 'firing',
  firedAt: at(0), changedAt: at(0), fired: 1, suppressed: 0, message: 'read took 1 s', evidence: { durationMs: 1000, thresholdMs: 100 }, ...overrides,
});

describe('the default rules', () => {
  const index = new RuleIndex(resolveAlerts(undefined)?.rules ?? []);
  const hung = (tool: string) => index.forTool('tool-execution', tool).hung;

  it('give local file tools a minute, MCP and web tools three, shell tools ten, any other tool five', () => {
    expect([hung('Read'), hung('read_file'), hung('grep')].map((r) => [r?.name, r?.thresholdMs])).toEqual(Array(3).fill(['hung-file-tool', 60_000]));
    expect([hung('mcp__github__search'), hung('WebFetch'), hung('jira__create')].map((r) => r?.thresholdMs)).toEqual([180_000, 180_000, 180_000]);
    expect([hung('Bash'), hung('run_shell_command'), hung('local_shell')].map((r) => r?.thresholdMs)).toEqual([600_000, 600_000, 600_000]);
    expect(hung('my_tool')).toMatchObject({ name: 'hung-tool', thresholdMs: 300_000 });
    expect(index.forTool('tool-execution', 'Read').regression).toMatchObject({ name: 'large-regression', minRatio: 2, minCalls: 30, baselineSessions: 10 });
    // Rules watch tool calls: another operation type has none.
    expect(index.forTool('llm-call', 'Read')).toEqual({ slow: undefined, hung: undefined, regression: undefined, errorRate: undefined });
  });

  it('are replaced by a rule of the same name, or turned off by one with enabled: false', () => {
    const rules = resolveAlerts({ rules: [{ name: 'hung-shell-tool', kind: 'hung-call', tools: ['bash'], thresholdMs: 30 * 60_000 }, { name: 'large-regression', kind: 'regression', enabled: false }] })?.rules ?? [];
    const replaced = new RuleIndex(rules);
    expect(replaced.forTool('tool-execution', 'bash').hung?.thresholdMs).toBe(1_800_000);
    expect(replaced.forTool('tool-execution', 'read').regression).toBeUndefined();
    expect(rules.filter((r) => r.name === 'hung-shell-tool')).toHaveLength(1);
    expect(resolveAlerts({ defaultRules: false })).toBeUndefined();
  });

  it('treat glob characters other than * and ? as themselves', () => {
    const index2 = new RuleIndex(resolveAlerts({ defaultRules: false, rules: [{ kind: 'slow-call', tools: 'a.b+(c)', thresholdMs: 1 }] })?.rules ?? []);
    expect(index2.forTool('tool-execution', 'a.b+(c)').slow).toBeDefined();
    expect(index2.forTool('tool-execution', 'aXb+(c)').slow).toBeUndefined();
  });
});

describe('mergeAlerts', () => {
  it('keeps one alert per (rule, operation type, tool): the later transition, a tie going to the added one', () => {
    const fired = alert();
    const resolved = alert({ state: 'resolved', resolvedAt: at(500), changedAt: at(500) });
    const grep = alert({ toolName: 'grep', changedAt: at(100), firedAt: at(100) });
    expect(mergeAlerts([resolved], [fired])).toEqual([resolved]);
    expect(mergeAlerts([fired, grep], [resolved])).toEqual([resolved, grep]);
    const newerEvidence = alert({ evidence: { durationMs: 2000, thresholdMs: 100 } });
    expect(mergeAlerts([fired], [newerEvidence])).toEqual([newerEvidence]);
  });

  it(`keeps at most ${MAX_ALERTS_PER_SESSION}, dropping the resolved ones that changed least recently first`, () => {
    const many = Array.from({ length: MAX_ALERTS_PER_SESSION + 10 }, (_, i) =>
      alert({ toolName: `t${i}`, changedAt: at(i), firedAt: at(i), ...(i < 20 ? { state: 'resolved' as const, resolvedAt: at(i) } : {}) }),
    );
    const kept = mergeAlerts([], many);
    expect(kept).toHaveLength(MAX_ALERTS_PER_SESSION);
    expect(kept.filter((a) => a.state === 'firing')).toHaveLength(MAX_ALERTS_PER_SESSION - 10);
    expect(kept.some((a) => a.toolName === 't0')).toBe(false);
    expect(kept.some((a) => a.toolName === 't19')).toBe(true);
  });
});

describe('alerts in the stored report and its summary', () => {
  const check = storedReportCheckSync();
  const report = (): StoredSessionReport => JSON.parse(JSON.stringify(storedReport('ses_1', T0, [{ tool: 'read', ms: 4 }]))) as StoredSessionReport;

  it('an earlier report without alerts still reads, and its summary has no alert counts', () => {
    const old = report();
    expect(check(old)).toEqual(old);
    expect(summarize(old)).not.toHaveProperty('alerts');
  });

  it('a report with alerts reads, and its summary and digest count them (the digest check takes the counts)', () => {
    const withAlerts = { ...report(), alerts: [alert(), alert({ toolName: 'grep', state: 'resolved', resolvedAt: at(9) })] };
    expect(check(withAlerts)).toEqual(withAlerts);
    const summary = digestOf(withAlerts).summary;
    expect(summary).toMatchObject({ alerts: 2, firingAlerts: 1 });
    expect(checkedSummary(JSON.parse(JSON.stringify(summary)), 'ses_1')).toEqual(summary);
    expect(checkedSummary({ ...summary, alerts: -1 }, 'ses_1')).toBeUndefined();
  });

  it('a malformed alert makes the report corrupt, named by its place', () => {
    const bad = { ...report(), alerts: [{ ...alert(), kind: 'loud' }] };
    const checked = check(bad);
    expect(isStoredReportProblem(checked) && checked.message).toMatch(/^alerts\.0\.kind: /);
  });
});
