import { z } from 'zod';
import { REPORT_SCHEMA_VERSION, type StoredSessionReport } from './report.js';
import { isValidSessionId } from '../util/session-id.js';

const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const count = z.number().int().min(0);
const isoDate = z.iso.datetime({ offset: true });
const countsByType = z.record(z.string(), count);

const durationStats = z.object({
  count, errors: count, successRate: finite, totalMs: finite, meanMs: finite, stddevMs: finite,
  minMs: finite, maxMs: finite, p50Ms: finite, p90Ms: finite, p95Ms: finite, p99Ms: finite,
  errorTypes: countsByType,
});

const statsState = z.object({
  count, errors: count, sumMs: finite, meanMs: finite, m2: finite, minMs: finite, maxMs: finite,
  errorTypes: countsByType, sketch: z.base64(),
});

const recentCall = z.object({
  operationType: z.string(), toolName: z.string(), callId: z.string().optional(),
  startedAt: isoDate, durationMs: finite, ok: z.boolean(), errorType: z.string().optional(),
  traceId: z.string().optional(), spanId: z.string().optional(),
});

const storedReport = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  sessionId: z.string().refine(isValidSessionId, 'invalid session id'),
  startedAt: isoDate,
  updatedAt: isoDate,
  endedAt: isoDate.optional(),
  operations: z.record(z.string(), durationStats.extend({ tools: z.record(z.string(), durationStats) })),
  recent: z.array(recentCall),
  aggregates: z.record(z.string(), z.object({ all: statsState, tools: z.record(z.string(), statsState) })),
});

/** Why a stored document cannot be read: `newer` (written by a later version: leave it alone) or `corrupt`. */
export type StoredReportProblem = { kind: 'newer' | 'corrupt'; message: string };

/** Checks a parsed JSON document; returns the report, or what is wrong with it. */
export function checkStoredReport(doc: unknown): StoredSessionReport | StoredReportProblem {
  const version = (doc as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > REPORT_SCHEMA_VERSION) {
    return { kind: 'newer', message: `schemaVersion ${version} is newer than this version of toolperf reads (${REPORT_SCHEMA_VERSION})` };
  }
  const result = storedReport.safeParse(doc);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  return { kind: 'corrupt', message: `${first?.path.join('.') || '(document)'}: ${first?.message ?? 'invalid'}` };
}

export function isStoredReportProblem(value: StoredSessionReport | StoredReportProblem): value is StoredReportProblem {
  return 'kind' in value;
}
