import type { DurationStats, SessionReport } from '../src/index.js';

const COLUMNS = ['calls', 'errors', 'success', 'mean', 'stddev', 'min', 'p50', 'p90', 'p95', 'p99', 'max'] as const;

/** A session report as a plain-text table, one block per operation type, one row per tool. */
export function formatReport(report: SessionReport): string {
  const lines = [
    `Session ${report.sessionId}`,
    `  started ${report.startedAt}   updated ${report.updatedAt}${report.endedAt ? `   ended ${report.endedAt}` : ''}`,
    '',
  ];
  for (const [type, op] of Object.entries(report.operations)) {
    const rows = [
      ...Object.entries(op.tools)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, stats]) => [name, ...cells(stats)]),
      ['(all)', ...cells(op)],
    ];
    lines.push(`${type} (milliseconds)`, ...table(['tool', ...COLUMNS], rows), '');
    const errors = Object.entries(op.errorTypes);
    if (errors.length) lines.push(`  errors by type: ${errors.map(([t, n]) => `${t} ×${n}`).join(', ')}`, '');
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

function cells(s: DurationStats): string[] {
  return [String(s.count), String(s.errors), `${(s.successRate * 100).toFixed(1)}%`, ...[s.meanMs, s.stddevMs, s.minMs, s.p50Ms, s.p90Ms, s.p95Ms, s.p99Ms, s.maxMs].map(ms)];
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: string[]) => '  ' + cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), '  ' + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
