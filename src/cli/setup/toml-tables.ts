import { isDeepStrictEqual } from 'node:util';
import { parse } from 'smol-toml';

/** A TOML value as `setTomlTables` writes it: one line, tables inline. */
export type TomlScalar = string | number | boolean;
export interface TomlInline {
  readonly [key: string]: TomlScalar | TomlInline;
}
export type TomlValue = TomlScalar | TomlInline;

/** Keys to set in one top-level table (`[otel]`), each replacing whatever value the key had. */
export interface TomlTableSettings {
  readonly table: string;
  readonly values: Readonly<Record<string, TomlValue>>;
}

/** The document could not be edited safely (not TOML, or a table written in a way the line edit does not handle). */
export class TomlMergeError extends Error {
  override readonly name = 'TomlMergeError';
}

/** One statement of the document: a `[table]` header or a `key = value` pair, over lines `start..end`. */
interface Statement {
  readonly kind: 'header' | 'pair';
  readonly start: number;
  readonly end: number;
  /** A header's table path (`['otel', 'exporter', 'otlp-http']`); a pair's first key (`['exporter']`). */
  readonly path: readonly string[];
}

/**
 * `text` with the given keys set in the given top-level tables, everything else kept as the user
 * wrote it (comments, order, layout): a line edit, not a parse and re-serialization, checked
 * afterwards with a TOML parser (smol-toml): when the edited document does not parse to exactly
 * the old one plus the new values, it throws `TomlMergeError` rather than write anything doubtful.
 * Unchanged text when every value is already set. Throws `TomlMergeError` for text that is not TOML.
 *
 * Handled: keys set inside `[table]` (as `key = ...` over one or several lines, or as dotted
 * `key.sub = ...` pairs), and the key as sub-tables `[table.key...]` (removed: the new value
 * replaces them); a missing table is appended. Not handled (throws): the table itself as dotted
 * keys or an inline table at the top level.
 */
export function setTomlTables(text: string, settings: readonly TomlTableSettings[]): string {
  const before = parseDocument(text);
  const expected = normalize(before) as Record<string, unknown>;
  for (const { table, values } of settings) {
    const current = expected[table];
    if (current !== undefined && !isPlainObject(current)) throw new TomlMergeError(`"${table}" is not a table`);
    expected[table] = { ...(current ?? {}), ...normalize(values) as object };
  }
  if (isDeepStrictEqual(normalize(before), expected)) return text;

  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let lines = text === '' ? [] : text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  for (const setting of settings) lines = setTable(lines, setting);
  const after = lines.join(eol) + eol;

  let check: unknown;
  try {
    check = normalize(parse(after));
  } catch {
    check = undefined;
  }
  if (!isDeepStrictEqual(check, expected)) {
    throw new TomlMergeError(`could not set ${settings.map((s) => `[${s.table}]`).join(' and ')} by editing lines (a table written as dotted keys or inline at the top level?)`);
  }
  return after;
}

/** A value as it is written on one line: `"text"`, `false`, `{ otlp-http = { endpoint = "..." } }`. */
export function formatTomlValue(value: TomlValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const entries = Object.entries(value).map(([key, inner]) => `${formatTomlKey(key)} = ${formatTomlValue(inner)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

export function formatTomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

function setTable(lines: string[], { table, values }: TomlTableSettings): string[] {
  const keys = new Set(Object.keys(values));
  const line = (key: string): string => `${formatTomlKey(key)} = ${formatTomlValue(values[key] as TomlValue)}`;
  const drop = new Set<number>();
  const replaced = new Map<number, string>();
  const written = new Set<string>();
  let target: Section | undefined;
  for (const section of sectionsOf(lines)) {
    const [head, sub] = section.header?.path ?? [];
    if (head !== table) continue;
    if (section.header?.path.length === 1) {
      target = section;
      for (const pair of section.pairs) {
        const key = pair.path[0];
        if (key === undefined || !keys.has(key)) continue;
        markLines(drop, pair.start, pair.end);
        if (!written.has(key)) replaced.set(pair.start, line(key));
        written.add(key);
      }
    } else if (sub !== undefined && keys.has(sub)) {
      // `[otel.exporter.otlp-http]` and below: the new `exporter = {...}` replaces the whole section
      // (the comments between its statements stay: they may speak of what follows).
      for (const statement of [section.header as Statement, ...section.pairs]) markLines(drop, statement.start, statement.end);
      markLines(drop, section.start, section.end, (index) => (lines[index] ?? '').trim() === '');
    }
  }
  const missing = [...keys].filter((key) => !written.has(key)).map(line);

  const out: string[] = [];
  lines.forEach((text, index) => {
    const replacement = replaced.get(index);
    if (replacement !== undefined) out.push(replacement);
    else if (!drop.has(index)) out.push(text);
    if (index === target?.last) out.push(...missing);
  });
  if (target === undefined) {
    while (out.length > 0 && out.at(-1)?.trim() === '') out.pop();
    if (out.length > 0) out.push('');
    out.push(`[${formatTomlKey(table)}]`, ...missing);
  }
  return out;
}

/** The lines from a header to the next (or the top-level lines before the first header). */
interface Section {
  readonly header: Statement | undefined;
  readonly pairs: Statement[];
  readonly start: number;
  end: number;
  /** The last line of the section's last statement: where keys it lacks are added. */
  last: number;
}

function sectionsOf(lines: readonly string[]): Section[] {
  const sections: Section[] = [{ header: undefined, pairs: [], start: 0, end: lines.length - 1, last: -1 }];
  for (const statement of statementsOf(lines)) {
    const current = sections.at(-1) as Section;
    if (statement.kind === 'pair') {
      current.pairs.push(statement);
      current.last = statement.end;
      continue;
    }
    current.end = statement.start - 1;
    sections.push({ header: statement, pairs: [], start: statement.start, end: lines.length - 1, last: statement.end });
  }
  return sections;
}

function markLines(set: Set<number>, from: number, to: number, when: (index: number) => boolean = () => true): void {
  for (let index = from; index <= to; index += 1) if (when(index)) set.add(index);
}

/**
 * The statements of a valid document, each over the fewest lines that parse on their own: a pair
 * whose value spans lines (a multi-line string or array) is one statement, and a line of it that
 * starts with `[` is never mistaken for a header.
 */
function statementsOf(lines: readonly string[]): Statement[] {
  const statements: Statement[] = [];
  for (let start = 0; start < lines.length; start += 1) {
    const first = (lines[start] ?? '').trim();
    if (first === '' || first.startsWith('#')) continue;
    let end = start;
    let parsed: unknown;
    for (; end < lines.length; end += 1) {
      parsed = tryParse(lines.slice(start, end + 1).join('\n'));
      if (parsed !== undefined) break;
    }
    if (parsed === undefined) throw new TomlMergeError(`line ${start + 1} does not parse as TOML`);
    const header = first.startsWith('[');
    statements.push({ kind: header ? 'header' : 'pair', start, end, path: header ? headerPath(parsed) : Object.keys(parsed as object).slice(0, 1) });
    start = end;
  }
  return statements;
}

/** `['otel', 'exporter']` from what `[otel.exporter]` (or `[[otel.exporter]]`) parses to. */
function headerPath(parsed: unknown): string[] {
  const path: string[] = [];
  let node = parsed;
  for (;;) {
    if (Array.isArray(node)) node = node[0];
    if (!isPlainObject(node)) return path;
    const keys = Object.keys(node);
    if (keys.length !== 1) return path;
    const key = keys[0] as string;
    path.push(key);
    node = node[key];
  }
}

function parseDocument(text: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    const first = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new TomlMergeError(`not valid TOML: ${first}`);
  }
}

function tryParse(text: string): unknown {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

/** Plain JSON-like data (prototypes, dates and big integers made comparable) for deep comparison. */
function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? `${inner}n` : inner))) as unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
