import type * as ZodModule from 'zod';
import { requireLazily } from '../util/require-lazily.js';
import { setEntry } from '../util/own-record.js';
import { REPORT_SCHEMA_VERSION, type StatsState, type StoredOperationState, type StoredSessionReport } from './report.js';
import { defineReportSchemas, type ReportSchemas } from './schema.js';
import { sketchProblem } from './stored-sketch.js';
import { migrateLegacySketch } from './legacy-sketch.js';

/** Why a stored document cannot be read: `newer` (written by a later version: leave it alone) or `corrupt`. */
export type StoredReportProblem = { kind: 'newer' | 'corrupt'; message: string };

export type StoredReportCheck = (doc: unknown) => StoredSessionReport | StoredReportProblem;

let schema: ReportSchemas | undefined;
/** The document's own field names: the only parts of a path that a message may show as they are. */
let fieldNames: ReadonlySet<string> = new Set();

function define(z: typeof ZodModule.z): ReportSchemas {
  const schemas = defineReportSchemas(z);
  fieldNames = new Set(Object.values(schemas).flatMap((s) => Object.keys(s.shape)));
  return schemas;
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
 * passes can be merged and written again: every sketch is checked here as the reader will use it.
 * A report of schemaVersion 1 comes back migrated (as version 2: sketches as their bins).
 * Messages never quote the document (a file named like a report may hold anything): keys that
 * are not the schema's own field names are shown as `*`.
 */
function checkStoredReport(doc: unknown): StoredSessionReport | StoredReportProblem {
  const version = (doc as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > REPORT_SCHEMA_VERSION) {
    return { kind: 'newer', message: `schemaVersion ${version} is newer than this version of toolperf reads (${REPORT_SCHEMA_VERSION})` };
  }
  if (version === 1) return migrateVersion1(doc);
  const result = (schema as ReportSchemas).storedSessionReport.safeParse(doc);
  if (!result.success) return firstIssue(result.error.issues);
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

/** A report of schemaVersion 1 as version 2: each sketch decoded from its protobuf and kept as its bins. */
function migrateVersion1(doc: unknown): StoredSessionReport | StoredReportProblem {
  const result = (schema as ReportSchemas).legacyStoredSessionReport.safeParse(doc);
  if (!result.success) return firstIssue(result.error.issues);
  const aggregates: Record<string, StoredOperationState> = {};
  for (const [type, operation] of Object.entries(result.data.aggregates)) {
    const all = migrateState(operation.all);
    if (typeof all === 'string') return corrupt(['aggregates', type, 'all', 'sketch'], all);
    const tools: Record<string, StatsState> = {};
    for (const [tool, state] of Object.entries(operation.tools)) {
      const migrated = migrateState(state);
      if (typeof migrated === 'string') return corrupt(['aggregates', type, 'tools', tool, 'sketch'], migrated);
      setEntry(tools, tool, migrated);
    }
    setEntry(aggregates, type, { all, tools });
  }
  return { ...result.data, schemaVersion: REPORT_SCHEMA_VERSION, aggregates };
}

function migrateState(state: Omit<StatsState, 'sketch'> & { sketch: string }): StatsState | string {
  // A state of no calls is never decoded (`RunningStats.fromState`): an empty sketch stands in.
  const sketch = state.count === 0 ? { keys: [], counts: [] } : migrateLegacySketch(state.sketch, state.count);
  return typeof sketch === 'string' ? sketch : { ...state, sketch };
}

function firstIssue(issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[]): StoredReportProblem {
  const first = issues[0];
  return corrupt(first?.path ?? [], first?.message ?? 'invalid');
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
