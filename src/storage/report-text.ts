import type { Stats } from 'node:fs';
import { REPORT_SCHEMA_VERSION, type StoredSessionReport } from '../document/report.js';
import { readFirstLineSync } from './report-file.js';
import { checkedSummary, checkedTools, DIGEST_FORMAT, digestOf, storedDigest, type SessionDigest, type ToolDigest } from './session-digest.js';

/**
 * How a report file is laid out: one JSON document, not indented (a 12-call report went from 26 KB
 * to under 6), with a line break after each top-level field, each operation type and each recent
 * call, so that it still reads in a pager and diffs line by line. Its first line ends with the
 * session's digest, the part a listing reads:
 *
 *     {"schemaVersion":2,"digest":{"format":"…","summary":{…},"toolFigures":[…]},
 *     "sessionId":"ses_1",
 *     …
 *
 * The digest is written with the report, in the same file, atomically: it can never be older than
 * its report, whatever crashes, and several writers need nothing beyond the report's own lock.
 * JSON never has a raw line break inside a value, so the first line break ends the digest.
 */

const FIRST_LINE_START = `{"schemaVersion":${REPORT_SCHEMA_VERSION},"digest":`;
/** What the first line holds up to the summary, when its digest is of this version's format. */
const SUMMARY_START = `${FIRST_LINE_START}{"format":${JSON.stringify(DIGEST_FORMAT)},"summary":`;
const TOOLS_START = ',"toolFigures":';
/** A digest line longer than this is not looked for (a report of thousands of tools); the report is read whole. */
export const MAX_DIGEST_LINE_BYTES = 2 * 1024 * 1024;

/** The text of `report`'s file. */
export function reportText(report: StoredSessionReport): string {
  const { schemaVersion, operations, recent, aggregates, ...rest } = report;
  if (schemaVersion !== REPORT_SCHEMA_VERSION) throw new TypeError(`cannot write a report of schemaVersion ${String(schemaVersion)}`);
  const lines = [`${FIRST_LINE_START}${JSON.stringify(storedDigest(digestOf(report)))}`];
  // `rest` keeps the document's own order: sessionId, the times, then writers (after aggregates below).
  const { writers, ...head } = rest;
  for (const [key, value] of Object.entries(head)) lines.push(field(key, value));
  lines.push(`"operations":{${entryLines(operations)}}`);
  lines.push(`"recent":[${recent.length === 0 ? '' : `\n${recent.map((call) => JSON.stringify(call)).join(',\n')}`}]`);
  lines.push(`"aggregates":{${entryLines(aggregates)}}`);
  if (writers !== undefined) lines.push(field('writers', writers));
  return `${lines.join(',\n')}}\n`;
}

/**
 * The digest in the first line of a report file's text (`prefix`: its start, at least up to the
 * first line break), or undefined when there is none of this version's format: a report written by
 * an earlier version, or by hand. The caller then reads the whole report.
 *
 * The summary is parsed and checked now; the per-tool figures when first asked for (a listing
 * needs none of them; only the tools view does). `,"toolFigures":` is structure, never inside a
 * string (JSON escapes every quote in one); figures that turn out malformed (a file edited by
 * hand) read as none.
 */
export function digestInFirstLine(prefix: string, sessionId: string): SessionDigest | undefined {
  const end = prefix.indexOf('\n');
  // The line: SUMMARY_START, summary, TOOLS_START, tools, `}` (the digest), `,` and the line break.
  if (end === -1 || !prefix.startsWith(SUMMARY_START) || prefix[end - 1] !== ',' || prefix[end - 2] !== '}') return undefined;
  // The last one: the figures are arrays of names and numbers, with no key inside.
  const toolsAt = prefix.lastIndexOf(TOOLS_START, end);
  if (toolsAt < SUMMARY_START.length) return undefined;
  const summary = checkedSummary(parsed(prefix.slice(SUMMARY_START.length, toolsAt)), sessionId);
  if (summary === undefined) return undefined;
  const toolsText = prefix.slice(toolsAt + TOOLS_START.length, end - 2);
  let tools: readonly ToolDigest[] | undefined;
  return {
    summary,
    get tools() {
      return (tools ??= checkedTools(parsed(toolsText)) ?? []);
    },
  };
}

/** What the first line of a report file holds: its digest (if of this version's format) and the file's stats. */
export interface DigestLine {
  readonly digest: SessionDigest | undefined;
  readonly stats: Stats;
  /**
   * No digest because an earlier version wrote the file (schemaVersion 1, or a digest of other
   * fields): a writer may rewrite it with one. (A report written by hand has no digest either.)
   */
  readonly outdated: boolean;
}

/** The first line of a file of schemaVersion 1, which was indented (`JSON.stringify(report, null, 2)`): `{` alone. */
const VERSION_1_FIRST_LINE = /^\{\r?\n$/;

/**
 * The first line of the report at `path`: the digest in it (undefined if none of this version's
 * format: the report is then read whole to list it) and the file's stats; undefined if there is no
 * report, `unusable` for what is not a regular file. Throws only for an I/O error.
 */
export function readDigestLine(path: string, sessionId: string): DigestLine | 'unusable' | undefined {
  const file = readFirstLineSync(path, MAX_DIGEST_LINE_BYTES);
  if (file.kind === 'missing') return undefined;
  if (file.kind !== 'line') return 'unusable';
  const digest = digestInFirstLine(file.text, sessionId);
  const outdated = digest === undefined && (file.text.startsWith(FIRST_LINE_START) || VERSION_1_FIRST_LINE.test(file.text));
  return { digest, stats: file.stats, outdated };
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function field(key: string, value: unknown): string {
  return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
}

function entryLines(record: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? '' : `\n${entries.map(([key, value]) => field(key, value)).join(',\n')}`;
}
