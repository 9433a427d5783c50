/**
 * prometheus-rules.yml: promtool's unit tests (prometheus-rules.test.yml, prometheus-rules-week.test.yml) pass, every alert has a
 * test in which it fires, carries what a receiver needs, is documented in the README, and reads
 * only the metric and label names both paths serve (the package's endpoint and the Collector's
 * Prometheus exporter, which name them alike).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as semconv from '../../src/telemetry/semconv.js';
import { findProgram, programOrSkip } from '../helpers/real-component.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RULES_FILE = 'prometheus-rules.yml';
const UNIT_TESTS = ['test/deploy/prometheus-rules.test.yml', 'test/deploy/prometheus-rules-week.test.yml'];
const RUNBOOK = 'https://github.com/toolperf/toolperf#prometheus-alerts';

interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

const rules = (parse(await readFile(join(root, RULES_FILE), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert !== undefined);
type UnitTestFile = { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }> };
const unitTests = await Promise.all(UNIT_TESTS.map(async (file) => parse(await readFile(join(root, file), 'utf8')) as UnitTestFile));
const readme = await readFile(join(root, 'README.md'), 'utf8');

/**
 * The name the Collector's Prometheus exporter gives a metric (its default, as in
 * otel-collector.yaml): dots to underscores, a UCUM unit as a suffix, a `{...}` unit dropped, and
 * `_total` on a counter. The package's endpoint names them the same way.
 */
function prometheusName(name: string, unit: string, counter: boolean): string {
  const suffix = ({ s: 'seconds', ms: 'milliseconds', By: 'bytes' } as Record<string, string>)[unit];
  return `${name.replaceAll('.', '_')}${suffix === undefined ? '' : `_${suffix}`}${counter ? '_total' : ''}`;
}
const durationName = prometheusName(semconv.METRIC_TOOL_DURATION, semconv.METRIC_TOOL_DURATION_UNIT, false);
const SERVED_METRICS = [
  prometheusName(semconv.METRIC_TOOL_CALLS, semconv.METRIC_TOOL_CALLS_UNIT, true),
  `${durationName}_bucket`,
  `${durationName}_sum`,
  `${durationName}_count`,
];
const SERVED_LABELS = [
  ...[semconv.ATTR_GEN_AI_TOOL_NAME, semconv.ATTR_TOOLPERF_STATUS, semconv.ATTR_ERROR_TYPE, semconv.ATTR_SESSION_ID].map((a) => a.replaceAll('.', '_')),
  'job',
  'instance',
  'le',
];

function run(command: string, args: readonly string[]): Promise<{ exit: number | string; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ exit: error === null ? 0 : (error.code ?? error.signal ?? 'failed'), output: `${stdout}${stderr}` });
    });
  });
}

describe(RULES_FILE, () => {
  it(`passes promtool test rules ${UNIT_TESTS.join(' ')}`, async (ctx) => {
    const promtool = programOrSkip(findProgram('promtool', 'prometheus'), (note) => ctx.skip(note));
    const { exit, output } = await run(promtool, ['test', 'rules', ...UNIT_TESTS]);
    expect(exit, `promtool test rules said:\n${output}`).toBe(0);
  }, 90_000);

  it('ships the three alerts, each fired by a unit test', () => {
    expect(alerts.map((a) => a.alert)).toEqual(['ToolP95High', 'ToolErrorRatioHigh', 'ToolLatencyRegressionWeekOverWeek']);
    const tested = unitTests.flatMap((file) => file.tests.flatMap((t) => t.alert_rule_test ?? []));
    for (const { alert } of alerts) {
      expect(tested.some((t) => t.alertname === alert && t.exp_alerts.length > 0), `${alert} fires in a test`).toBe(true);
      expect(tested.some((t) => t.alertname === alert && t.exp_alerts.length === 0), `${alert} stays quiet in a test`).toBe(true);
    }
  });

  it.for(alerts.map((a) => [a.alert as string, a] as const))('%s has a severity, a summary and description naming the tool, and the runbook', ([, alert]) => {
    expect(['info', 'warning', 'critical']).toContain(alert.labels?.severity);
    expect(alert.annotations?.summary).toContain('{{ $labels.gen_ai_tool_name }}');
    expect(alert.annotations?.description).toContain('{{ $labels.gen_ai_tool_name }}');
    expect(alert.annotations?.description).toContain('{{ $labels.job }}');
    expect(alert.annotations?.runbook_url).toBe(RUNBOOK);
    expect(alert.for, 'a duration before firing').toMatch(/^\d+[smh]$/);
  });

  it('is documented in the README section the runbook points to', () => {
    const section = /^#{2,4} Prometheus alerts\n([\s\S]*?)(?=^#{2,4} )/m.exec(readme)?.[1];
    expect(section, 'a "Prometheus alerts" heading (anchor #prometheus-alerts)').toBeDefined();
    for (const { alert } of alerts) expect(section).toContain(`\`${alert}\``);
  });

  it('reads only the metric and label names the package serves', () => {
    const exprs = rules.map((r) => r.expr).join('\n');
    // A metric is followed by its matchers or a range; a recording rule's name has colons.
    const metrics = new Set([...exprs.matchAll(/([A-Za-z_][\w:]*)\s*[{[]/g)].map((m) => m[1] as string).filter((name) => !name.includes(':')));
    expect([...metrics].sort()).toEqual([`${durationName}_bucket`, SERVED_METRICS[0]].sort());
    const labels = new Set([
      ...[...exprs.matchAll(/\b(?:by|on|without|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) => (m[1] as string).split(',').map((l) => l.trim())),
      ...[...exprs.matchAll(/[{,]\s*(\w+)\s*!?=~?/g)].map((m) => m[1] as string),
    ]);
    expect([...labels].filter((l) => !SERVED_LABELS.includes(l))).toEqual([]);
    expect(exprs).toContain(`toolperf_status="${semconv.STATUS_ERROR}"`);
  });
});
