import { REPORT_SCHEMA_VERSION, type StoredSessionReport } from '../document/report.js';
import { checkedDigest, digestOf, storedDigest, type SessionDigest } from './session-digest.js';

/**
 * How a report file is laid out: one JSON document, not indented (a 12-call report went from 26 KB
 * to under 6), with a line break after each top-level field, each operation type and each recent
 * call, so that it still reads in a pager and diffs line by line. Its first line ends with the
 * session's digest, the part a listing reads:
 *
 *     {"schemaVersion":2,"digest":{"format":"…","summary":{…},"tools":[…]},
 *     "sessionId":"ses_1",
 *     …
 *
 * The digest is written with the report, in the same file, atomically: it can never be older than
 * its report, whatever crashes, and several writers need nothing beyond the report's own lock.
 * JSON never has a raw line break inside a value, so the first line break ends the digest.
 */

const FIRST_LINE_START = `{"schemaVersion":${REPORT_SCHEMA_VERSION},"digest":`;
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
 */
export function digestInFirstLine(prefix: string, sessionId: string): SessionDigest | undefined {
  const end = prefix.indexOf('\n');
  if (end === -1 || !prefix.startsWith(FIRST_LINE_START) || prefix[end - 1] !== ',') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(prefix.slice(FIRST_LINE_START.length, end - 1));
  } catch {
    return undefined;
  }
  return checkedDigest(value, sessionId);
}

function field(key: string, value: unknown): string {
  return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
}

function entryLines(record: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? '' : `\n${entries.map(([key, value]) => field(key, value)).join(',\n')}`;
}
