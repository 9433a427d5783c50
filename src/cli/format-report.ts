import type { DurationStats, OperationStats, SessionReport, SessionStatus } from '../document/report.js';
import { textTable, type TextColumn } from './text-table.js';
import { formatRecommendations } from './format-recommendations.js';

const STAT_COLUMNS = ['calls', 'errors', 'success', 'mean', 'stddev', 'min', 'p50', 'p90', 'p95', 'p99', 'max'] as const;
const COLUMNS: TextColumn[] = [
  { title: 'tool', align: 'left' },
  ...STAT_COLUMNS.map((title): TextColumn => ({ title, align: 'right' })),
];

/** A session report as a plain-text table, one block per operation type, one row per tool. */
export function formatReport(report: SessionReport & { readonly status?: SessionStatus }): string {
  const lines = [
    `Session ${report.sessionId}${report.status === undefined ? '' : ` (${report.status})`}`,
    `  started ${report.startedAt}   updated ${report.updatedAt}${report.endedAt ? `   ended ${report.endedAt}` : ''}`,
    '',
  ];
  for (const [type, op] of Object.entries(report.operations)) lines.push(...formatOperation(type, op), '');
  const recommendations = formatRecommendations(report.recommendations ?? []);
  if (recommendations.length > 0) lines.push(...recommendations, '');
  if (report.alerts?.length) {
    lines.push(`alerts (${report.alerts.filter((a) => a.state === 'firing').length} firing)`);
    for (const alert of report.alerts) lines.push(`  ${alert.state.padEnd(9)} ${alert.rule}  ${alert.message}${alert.suppressed ? ` (${alert.suppressed} suppressed)` : ''}`);
    lines.push('');
  }
  const recent = report.recent.slice(-5);
  if (recent.length) {
    lines.push(`last ${recent.length} of ${report.recent.length} recent calls`);
    for (const call of recent) {
      lines.push(`  ${call.startedAt}  ${call.toolName.padEnd(10)} ${ms(call.durationMs).padStart(9)} ms  ${call.ok ? 'ok' : `failed (${call.errorType})`}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** One operation type: a row per tool, then `(all)`, then its errors by type. */
export function formatOperation(operationType: string, op: OperationStats): string[] {
  const rows = [
    ...Object.entries(op.tools)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, stats]) => [name, ...cells(stats)]),
    ['(all)', ...cells(op)],
  ];
  return [`${operationType} (milliseconds)`, ...textTable(COLUMNS, rows), ...errorLines(op)];
}

/** One tool of an operation type: a single row, then its errors by type. */
export function formatTool(operationType: string, toolName: string, stats: DurationStats): string[] {
  return [`${operationType} (milliseconds)`, ...textTable(COLUMNS, [[toolName, ...cells(stats)]]), ...errorLines(stats)];
}

function errorLines(stats: DurationStats): string[] {
  const errors = Object.entries(stats.errorTypes);
  return errors.length ? ['', `  errors by type: ${errors.map(([t, n]) => `${t} ×${n}`).join(', ')}`] : [];
}

function cells(s: DurationStats): string[] {
  return [String(s.count), String(s.errors), `${(s.successRate * 100).toFixed(1)}%`, ...[s.meanMs, s.stddevMs, s.minMs, s.p50Ms, s.p90Ms, s.p95Ms, s.p99Ms, s.maxMs].map(ms)];
}

/** Three significant digits or so: `0.29`, `14.4`, `1234`. */
export function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}
