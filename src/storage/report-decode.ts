import { renameSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import type { StoredSessionReport } from '../document/report.js';
import type { Logger } from '../util/logger.js';
import { isStoredReportProblem, type StoredReportCheck } from '../document/check-stored-report.js';

/** What the text of a report file is, for a file store: the report, or why it cannot be one. */

/** A stored report that this version cannot read and must not overwrite (written by a newer version). */
export class UnreadableReportError extends Error {
  override readonly name = 'UnreadableReportError';
}

/** A corrupt stored report, read by a store opened read-only (which leaves it where it is). */
export class CorruptReportError extends Error {
  override readonly name = 'CorruptReportError';
}

/** The report, or why the text is corrupt. Throws `UnreadableReportError` for a newer schema. */
export function decodeReport(path: string, sessionId: string, text: string, checkStoredReport: StoredReportCheck): StoredSessionReport | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // V8's message quotes the text, and the file may be anything (a link's target once was /etc/passwd).
    return 'not valid JSON';
  }
  const checked = checkStoredReport(doc);
  if (!isStoredReportProblem(checked)) {
    // Copied or renamed from another session's file: its calls are not this session's.
    return checked.sessionId === sessionId ? checked : 'the report of another session';
  }
  if (checked.kind === 'newer') throw new UnreadableReportError(`${path}: ${checked.message}; left as it is (a newer toolperf reads it)`);
  return checked.message;
}

/** What a read-only store says of a corrupt report: where it is, why, and how to set it aside. */
export function leftInPlace(path: string, reason: string): string {
  return `corrupt report ${path} (${reason}): left in place; set it aside by renaming it (mv ${path} ${path}.corrupt), or the next write of that session will`;
}

/** Renames a corrupt report aside (`<id>.json.corrupt-<time>`) and says so once: a writer's act, never a reader's. */
export async function setAside(path: string, reason: string, logger: Logger): Promise<void> {
  const aside = asidePath(path);
  await rename(path, aside).then(
    () => movedAside(logger, path, reason, aside),
    (error: unknown) => movedAside(logger, path, reason, aside, error),
  );
}

export function setAsideSync(path: string, reason: string, logger: Logger): void {
  const aside = asidePath(path);
  try {
    renameSync(path, aside);
    movedAside(logger, path, reason, aside);
  } catch (error) {
    movedAside(logger, path, reason, aside, error);
  }
}

/** Quiet when another process moved the file first. */
function movedAside(logger: Logger, path: string, reason: string, aside: string, error?: unknown): void {
  if (error === undefined) logger.warn(`corrupt report ${path} (${reason}): moved to ${aside}`);
  else if ((error as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') logger.warn(`corrupt report ${path} (${reason}); could not move it aside: ${String(error)}`);
}

function asidePath(path: string): string {
  return `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}
