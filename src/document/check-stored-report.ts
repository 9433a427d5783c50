import type * as ZodModule from 'zod';
import { requireLazily } from '../util/require-lazily.js';
import { REPORT_SCHEMA_VERSION, type StoredSessionReport } from './report.js';
import { defineReportSchemas, type ReportSchemas } from './schema.js';

/** Why a stored document cannot be read: `newer` (written by a later version: leave it alone) or `corrupt`. */
export type StoredReportProblem = { kind: 'newer' | 'corrupt'; message: string };

export type StoredReportCheck = (doc: unknown) => StoredSessionReport | StoredReportProblem;

let schema: ReportSchemas['storedSessionReport'] | undefined;

/** The check, with zod loaded as a module (shared with the report server's, when it runs). */
export async function loadStoredReportCheck(): Promise<StoredReportCheck> {
  schema ??= defineReportSchemas((await import('zod')).z).storedSessionReport;
  return checkStoredReport;
}

/** The check, loading zod synchronously if no read loaded it yet (the last write at `process.exit`). */
export function storedReportCheckSync(): StoredReportCheck {
  schema ??= defineReportSchemas(requireLazily<typeof ZodModule>('zod').z).storedSessionReport;
  return checkStoredReport;
}

/** Checks a parsed JSON document; returns the report, or what is wrong with it. */
function checkStoredReport(doc: unknown): StoredSessionReport | StoredReportProblem {
  const version = (doc as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > REPORT_SCHEMA_VERSION) {
    return { kind: 'newer', message: `schemaVersion ${version} is newer than this version of toolperf reads (${REPORT_SCHEMA_VERSION})` };
  }
  const result = (schema as ReportSchemas['storedSessionReport']).safeParse(doc);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  return { kind: 'corrupt', message: `${first?.path.join('.') || '(document)'}: ${first?.message ?? 'invalid'}` };
}

export function isStoredReportProblem(value: StoredSessionReport | StoredReportProblem): value is StoredReportProblem {
  return 'kind' in value;
}
