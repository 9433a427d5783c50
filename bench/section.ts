/**
 * What the sections of BENCHMARKS.md share: how a figure is written, the markdown table, and for a
 * section that `--only` can re-run alone, the run it was measured in and the markers that let it
 * be replaced.
 */

/** How a section was measured; a section that can be re-run alone carries its own. */
export interface RunInfo {
  readonly command: string;
  readonly date: string;
  readonly machine: string;
  readonly load: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly seconds: number;
  readonly checksum: number;
}

/** A measured value to about three significant digits: 1.23, 12.3, 123, 1,234. */
export function figure(value: number): string {
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

/** The first row is the header. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const [head, ...body] = rows;
  if (head === undefined) return '';
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}

/** "Measured by `command` on date (machine; load average …; N s)." */
export function measuredBy(run: RunInfo): string {
  const load = (xs: readonly number[]): string => xs.map((x) => x.toFixed(2)).join(' / ');
  return `Measured by \`${run.command}\` on ${run.date} (${run.machine}; load average ${load(run.load.start)} before, ${load(run.load.end)} after; ${run.seconds.toFixed(0)} s).`;
}

/** A section between `<!-- name: begin -->` and `<!-- name: end -->`, so that `--only name` can replace it. */
export interface Markers {
  readonly begin: string;
  readonly end: string;
}

export function markersOf(name: string): Markers {
  return { begin: `<!-- ${name}: begin -->`, end: `<!-- ${name}: end -->` };
}

/**
 * `current` with the section between `markers` replaced by `section`; a file written before that
 * section existed gets it just before its "## Checks" heading.
 */
export function replaceSection(current: string, markers: Markers, section: string, file: string): string {
  const begin = current.indexOf(markers.begin);
  const end = current.indexOf(markers.end);
  if (begin !== -1 && end > begin) return current.slice(0, begin) + section + current.slice(end + markers.end.length);
  const checks = current.indexOf('\n## Checks');
  if (checks === -1) throw new Error(`${file} has no "## Checks" heading to put the section before: run npm run bench`);
  return `${current.slice(0, checks)}\n${section}\n${current.slice(checks)}`;
}
