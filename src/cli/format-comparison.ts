import type { ListedSession } from '../document/report.js';
import type { ComparedSide, ComparedStats, SessionComparison } from '../reports/compare/session-comparison.js';
import { ms } from './format-report.js';
import { textTable, type TextColumn } from './text-table.js';

const COLUMNS: TextColumn[] = [
  { title: 'tool', align: 'left' },
  { title: 'calls a→b', align: 'right' },
  { title: 'p50 a→b', align: 'right' },
  { title: 'p95 a→b', align: 'right' },
  { title: 'p99 a→b', align: 'right' },
  { title: 'errors a→b', align: 'right' },
  { title: 'p50 ×', align: 'right' },
  { title: 'p', align: 'right' },
  { title: 'change', align: 'left' },
];

/**
 * A comparison as plain text: the two sessions, then per operation type a row per tool and
 * `(all)`, each with both sides' figures, the p50 ratio b / a, the adjusted p-value and the
 * verdict: `slower` or `faster` when the shift is significant, `-` when it is not, `too few`
 * when a side has too few calls to test, `only a` / `only b` when one side has none.
 */
export function formatComparison(comparison: SessionComparison<ListedSession>): string {
  const lines = [
    `Session ${comparison.b.sessionId} against ${comparison.a.sessionId}`,
    `  a: ${sessionLine(comparison.a)}`,
    `  b: ${sessionLine(comparison.b)}`,
    '',
  ];
  for (const op of comparison.operations) {
    const rows = [...op.tools.map((tool) => [tool.toolName, ...cells(tool)]), ['(all)', ...cells(op)]];
    lines.push(`${op.operationType} (milliseconds; × is b / a)`, ...textTable(COLUMNS, rows), '');
  }
  const flagged = comparison.operations.flatMap((op) => op.tools.filter((t) => t.significant).map((t) => `${t.toolName} ${verdict(t)}`));
  lines.push(flagged.length === 0 ? 'No tool changed beyond noise.' : `Changed beyond noise: ${flagged.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

function sessionLine(s: ListedSession): string {
  return `${s.sessionId}  ${s.status}  started ${s.startedAt}  ${s.calls} calls, ${s.errors} errors`;
}

function cells(row: ComparedStats): string[] {
  const { a, b, delta } = row;
  const pair = (show: (side: ComparedSide) => string): string => `${a ? show(a) : '-'}→${b ? show(b) : '-'}`;
  return [
    pair((s) => String(s.count)),
    pair((s) => ms(s.p50Ms)),
    pair((s) => ms(s.p95Ms)),
    pair((s) => ms(s.p99Ms)),
    pair((s) => percent(s.errorRate)),
    delta?.p50Ratio == null ? '-' : delta.p50Ratio.toFixed(2),
    row.pValue === null ? '-' : row.pValue < 0.001 ? '<0.001' : row.pValue.toFixed(3),
    verdict(row),
  ];
}

function verdict(row: ComparedStats): string {
  if (row.a === null) return 'only b';
  if (row.b === null) return 'only a';
  if (row.pValue === null) return 'too few';
  if (!row.significant) return '-';
  return (row.delta?.p50Ratio ?? 1) > 1 ? 'slower' : 'faster';
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}
