import { readdir } from 'node:fs/promises';
import { isValidSessionId } from '../util/session-id.js';
import { FileReportStore } from './file-store.js';
import type { ReportStore } from './report-store.js';

/** The sessions a store holds, for a migration: every one, including the ones it cannot read. */
export interface StoredSessionIds {
  readonly sessionIds: string[];
  /** Files in a file store's directory named like reports but not after a valid session ID (never read). */
  readonly misnamed: string[];
}

const REPORT_SUFFIX = '.json';

/**
 * Every session ID in the store, sorted. A file store's directory is read for names, not for
 * digests, so that a report its listing leaves out (corrupt, written by a newer version) is still
 * counted, and a migration says what it did with it; any other store answers with its listing.
 * A missing directory holds no session.
 */
export async function storedSessionIds(store: ReportStore): Promise<StoredSessionIds> {
  if (!(store instanceof FileReportStore)) {
    return { sessionIds: (await store.list()).map((summary) => summary.sessionId).sort(), misnamed: [] };
  }
  let names: string[];
  try {
    names = await readdir(store.directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { sessionIds: [], misnamed: [] };
    throw error;
  }
  const sessionIds: string[] = [];
  const misnamed: string[] = [];
  for (const name of names) {
    // Locks (`.<id>.json.lock`) and temp files start with a dot; set-aside files end otherwise.
    if (!name.endsWith(REPORT_SUFFIX) || name.startsWith('.')) continue;
    const id = name.slice(0, -REPORT_SUFFIX.length);
    if (isValidSessionId(id)) sessionIds.push(id);
    else misnamed.push(name);
  }
  return { sessionIds: sessionIds.sort(), misnamed: misnamed.sort() };
}
