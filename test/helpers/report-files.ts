import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredSessionReport } from '../../src/document/report.js';
import { FileReportStore, REPORTS_SUBDIRECTORY } from '../../src/storage/file-store.js';
import { storedReport, T0, type CallSpec } from '../src/server/fixtures.js';
import { recordingLogger } from './tracking.js';

/** Where a FileReportStore over `dataDir` keeps its reports. */
export function reportsDir(dataDir: string): string {
  return join(dataDir, REPORTS_SUBDIRECTORY);
}

/** The calls the tracked-process fixture's sessions are made of, stored by an earlier run. */
export const EARLIER_CALLS: readonly CallSpec[] = [{ tool: 'step', ms: 4 }, { tool: 'step', ms: 9 }, { tool: 'fast', ms: 1 }];

/**
 * Writes `<id>.json` by hand (not through a store): a report of `calls`, changed by `edit` first,
 * so a test can put exactly the bytes it means on disk.
 */
export async function writeReportFile(
  dataDir: string,
  sessionId: string,
  edit: (report: StoredSessionReport) => unknown = (r) => r,
  calls: readonly CallSpec[] = EARLIER_CALLS,
): Promise<string> {
  await mkdir(reportsDir(dataDir), { recursive: true });
  const path = join(reportsDir(dataDir), `${sessionId}.json`);
  await writeFile(path, JSON.stringify(edit(storedReport(sessionId, T0, calls))));
  return path;
}

/** What a fresh store reads of a session's `tool-execution` calls (undefined fields: no report). */
export async function storedCounts(dataDir: string, sessionId: string) {
  const report = await new FileReportStore(dataDir, recordingLogger()).get(sessionId);
  const ops = report?.operations['tool-execution'];
  return { calls: ops?.count, step: ops?.tools.step?.count, fast: ops?.tools.fast?.count };
}

/** The names in the reports directory, sorted. */
export async function reportEntries(dataDir: string): Promise<string[]> {
  return (await readdir(reportsDir(dataDir))).sort();
}
