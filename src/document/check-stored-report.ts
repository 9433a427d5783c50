import type * as ZodModule from 'zod';
import { requireLazily } from '../util/require-lazily.js';
import { REPORT_SCHEMA_VERSION, type StatsState, type StoredSessionReport } from './report.js';
import { defineReportSchemas, type ReportSchemas } from './schema.js';
import { sketchProblem } from './stored-sketch.js';

/** Why a stored document cannot be read: `newer` (written by a later version: leave it alone) or `corrupt`. */
export type StoredReportProblem = { kind: 'newer' | 'corrupt'; message: string };

export type StoredReportCheck = (doc: unknown) => StoredSessionReport | StoredReportProblem;

let schema: ReportSchemas['storedSessionReport'] | undefined;
/** The document's own field names: the only parts of a path that a message may show as they are. */
let fieldNames: ReadonlySet<string> = new Set();

function define(z: typeof ZodModule.z): ReportSchemas['storedSessionReport'] {
  const schemas = defineReportSchemas(z);
  fieldNames = new Set(Object.values(schemas).flatMap((s) => Object.keys(s.shape)));
  return schemas.storedSessionReport;
}

/** The check, with zod loaded as a module (shared with the report server's, when it runs). */
export async function loadStoredReportCheck(): Promise<StoredReportCheck> {
  schema ??= define((await import('zod')).z);
  return checkStoredReport;
}

/** The check, loading zod synchronously if no read loaded it yet (the last write at `process.exit`). */
export function storedReportCheckSync(): StoredReportCheck {
  schema ??= define(requireLazily<typeof ZodModule>('zod').z);
  return checkStoredReport;
}

/**
 * Checks a parsed JSON document; returns the report, or what is wrong with it. A report that
 * passes can be merged and written again: every sketch is decoded here, as the reader will.
 * Messages never quote the document (a file named like a report may hold anything): keys that
 * are not the schema's own field names are shown as `*`.
 */
function checkStoredReport(doc: unknown): StoredSessionReport | StoredReportProblem {
  const version = (doc as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > REPORT_SCHEMA_VERSION) {
    return { kind: 'newer', message: `schemaVersion ${version} is newer than this version of toolperf reads (${REPORT_SCHEMA_VERSION})` };
  }
  const result = (schema as ReportSchemas['storedSessionReport']).safeParse(doc);
  if (!result.success) {
    const first = result.error.issues[0];
    return corrupt(first?.path ?? [], first?.message ?? 'invalid');
  }
  for (const [type, operation] of Object.entries(result.data.aggregates)) {
    const all = statsProblem(operation.all);
    if (all !== undefined) return corrupt(['aggregates', type, 'all', 'sketch'], all);
    for (const [tool, state] of Object.entries(operation.tools)) {
      const problem = statsProblem(state);
      if (problem !== undefined) return corrupt(['aggregates', type, 'tools', tool, 'sketch'], problem);
    }
  }
  return result.data;
}

/** A state of no calls is never decoded (`RunningStats.fromState`), so its sketch cannot fail a reader. */
function statsProblem(state: StatsState): string | undefined {
  return state.count === 0 ? undefined : sketchProblem(state.sketch, state.count);
}

function corrupt(path: readonly PropertyKey[], message: string): StoredReportProblem {
  const shown = path.map((key) => (typeof key === 'number' || fieldNames.has(String(key)) ? String(key) : '*')).join('.');
  return { kind: 'corrupt', message: `${shown || '(document)'}: ${message.slice(0, 200)}` };
}

export function isStoredReportProblem(value: StoredSessionReport | StoredReportProblem): value is StoredReportProblem {
  return 'kind' in value;
}
