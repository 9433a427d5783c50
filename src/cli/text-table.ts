/** How a column lines up: names read best left-aligned, numbers right-aligned. */
export type ColumnAlign = 'left' | 'right';

export interface TextColumn {
  readonly title: string;
  readonly align: ColumnAlign;
}

/** A plain-text table indented by two spaces: header, a rule of dashes, one line per row. */
export function textTable(columns: readonly TextColumn[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    '  ' + columns.map((c, i) => (c.align === 'left' ? (cells[i] ?? '').padEnd(widths[i] ?? 0) : (cells[i] ?? '').padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(columns.map((c) => c.title)), '  ' + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
