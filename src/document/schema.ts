import type { z as Zod } from 'zod';
import { isValidSessionId } from '../util/session-id.js';

/** What a session is when read: see `ListedSession.status`. */
export const SESSION_STATUSES = ['active', 'idle', 'ended'] as const;
/** How much a recommendation matters: see `Recommendation.severity`. */
export const RECOMMENDATION_SEVERITIES = ['info', 'warning', 'critical'] as const;
/** Recommendations a report holds at most (the ones that save the most). */
export const MAX_RECOMMENDATIONS = 20;

/** The kinds of alert rule (see `reports/alerts/alert-rules.ts`). */
export const ALERT_KINDS = ['slow-call', 'hung-call', 'regression', 'error-rate'] as const;
/** `firing` until its condition clears, then `resolved` (it may fire again after the cooldown). */
export const ALERT_STATES = ['firing', 'resolved'] as const;
/** Longest alert message and evidence text stored; longer ones are cut. */
export const MAX_ALERT_TEXT = 500;

/**
 * Version of the report document; a reader refuses versions newer than it knows. 2: sketches
 * stored as their non-empty bins (1 stored the dense protobuf, base64; still read, see
 * `legacy-sketch.ts`).
 */
export const REPORT_SCHEMA_VERSION = 2;
/** Alerts a report keeps: past it, the resolved ones that changed least recently are dropped. */
export const MAX_ALERTS_PER_SESSION = 200;

/**
 * The report document, defined once: the stored form is the report plus its merge state, the HTTP
 * API describes the same schemas (with `@hono/zod-openapi`'s `z`), and the TypeScript types are
 * inferred from them. A function of `z` rather than a module of schemas: reading a stored report
 * loads zod only then (the tracking path never does), synchronously at exit or as a module elsewhere.
 */
export function defineReportSchemas(z: typeof Zod) {
  const finite = z.number().refine(Number.isFinite, 'expected a finite number');
  const count = z.number().int().min(0);
  const isoDate = z.iso.datetime({ offset: true });
  const countsByType = z.record(z.string(), count);

  /** Duration statistics of a set of calls, as reports show them. Milliseconds, rounded to the microsecond. */
  const durationStats = z.object({
    count,
    errors: count,
    /** Share of calls that succeeded, 0 to 1. */
    successRate: finite,
    totalMs: finite,
    meanMs: finite,
    /** Sample standard deviation (n − 1); 0 below two calls. */
    stddevMs: finite,
    minMs: finite,
    maxMs: finite,
    p50Ms: finite,
    p90Ms: finite,
    p95Ms: finite,
    p99Ms: finite,
    /** Failed calls by `error.type`. */
    errorTypes: countsByType,
  });

  /** Statistics of one operation type, with the same statistics per tool. */
  const operationStats = durationStats.extend({ tools: z.record(z.string(), durationStats) });

  /** The agent a session's calls came from (ingested from Claude Code, Codex, ...), as it names itself. */
  const agentInfo = z.object({ name: z.string().min(1).max(256), version: z.string().max(256).optional() });

  /** One of the most recent calls of a session (at most `maxMetrics` are kept). */
  const recentCall = z.object({
    operationType: z.string(),
    toolName: z.string(),
    callId: z.string().optional(),
    /** ISO 8601. */
    startedAt: isoDate,
    durationMs: finite,
    ok: z.boolean(),
    errorType: z.string().optional(),
    /** The failure's class in its source's own words, where it has one beside `errorType`. */
    errorClass: z.string().optional(),
    /** The failure's message, cut to 300 characters; absent when `recordErrorMessages` is off. */
    errorMessage: z.string().optional(),
    traceId: z.string().optional(),
    spanId: z.string().optional(),
    /** The keyed fingerprint of the call's arguments, with `fingerprintArguments` (never the arguments). */
    argumentsFingerprint: z.string().max(64).optional(),
  });

  /**
   * What to change, from the session's own numbers: one rule's finding for one tool (see the
   * README's "Recommendations" for every kind and its thresholds).
   */
  const recommendation = z.object({
    /** `dominant-tool`, `heavy-tail`, `error-hotspot`, `redundant-calls`, `retry-loop`, `serial-calls`. */
    kind: z.string().min(1).max(64),
    operationType: z.string().max(256),
    tool: z.string().max(256),
    /** `info`: worth knowing; `warning`: worth changing; `critical`: costs the session a lot. */
    severity: z.enum(RECOMMENDATION_SEVERITIES),
    /** The numbers it rests on, by name (`share`, `p99Ms`, `errorType`, ...). */
    evidence: z.record(z.string().max(64), z.union([finite, z.string().max(256)])),
    /** Roughly how much tool time following the advice would have saved in this session, in milliseconds. */
    estimatedSavingMs: finite,
    /** What to do, in a sentence or two, with the numbers. */
    advice: z.string().max(2000),
  });

  /**
   * One alert of a session, keyed by (rule, operation type, tool): it fired once (and again only
   * after the cooldown), and it resolves when its condition clears. `evidence` holds the numbers
   * that made it fire (durations and thresholds; p50s, call counts, U and p of a regression; error counts).
   */
  const alert = z.object({
    rule: z.string().min(1).max(128),
    kind: z.enum(ALERT_KINDS),
    operationType: z.string().min(1),
    toolName: z.string().min(1),
    state: z.enum(ALERT_STATES),
    /** ISO 8601: the last time it fired. */
    firedAt: isoDate,
    /** ISO 8601: when it resolved, while `state` is `resolved`. */
    resolvedAt: isoDate.optional(),
    /** ISO 8601: its last transition (fired or resolved). Writers sharing a store keep, per alert, the latest. */
    changedAt: isoDate,
    /** Times it fired. */
    fired: count,
    /** Times it would have fired again within the cooldown, and did not. */
    suppressed: count,
    /** One line for people, e.g. `read took 1.52 s (slow-call threshold 1 s)`. */
    message: z.string().max(MAX_ALERT_TEXT),
    evidence: z.record(z.string().max(64), z.union([finite, z.string().max(MAX_ALERT_TEXT)])),
  });

  /** A session's performance report: exact statistics over every call, per operation type and per tool. */
  const sessionReport = z.object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    sessionId: z.string().refine(isValidSessionId, 'invalid session id'),
    /** ISO 8601: the first call's start. */
    startedAt: isoDate,
    /** ISO 8601: the last call's end (or the session's end). */
    updatedAt: isoDate,
    /** ISO 8601, once the session was ended; cleared if calls arrive after. */
    endedAt: isoDate.optional(),
    /** The agent the calls came from, when they were ingested from one. */
    agent: agentInfo.optional(),
    operations: z.record(z.string(), operationStats),
    /** Oldest first. */
    recent: z.array(recentCall),
    /** What to change, the largest estimated saving first; absent in reports written before there were any. */
    recommendations: z.array(recommendation).max(MAX_RECOMMENDATIONS).optional(),
    /** The session's alerts, one per (rule, operation type, tool), latest transition first. Absent when none fired. */
    alerts: z.array(alert).max(MAX_ALERTS_PER_SESSION).optional(),
  });

  /** What a report stores to continue the statistics later, exactly. */
  const statsState = z.object({
    count,
    errors: count,
    sumMs: finite,
    meanMs: finite,
    /** Sum of squared deviations from the mean (Welford's M2). */
    m2: finite,
    minMs: finite,
    maxMs: finite,
    errorTypes: countsByType,
    /** The DDSketch's non-empty bins (see `StoredSketch`; checked further by `sketchProblem`). */
    sketch: z.object({ keys: z.array(z.number()), counts: z.array(z.number()), zeros: z.number().optional() }),
  });

  const operationState = z.object({ all: statsState, tools: z.record(z.string(), statsState) });

  /** What a store keeps: the report plus the state that lets a later process continue it exactly. */
  const storedSessionReport = sessionReport.extend({
    aggregates: z.record(z.string(), operationState),
    /**
     * The last write of each recent writer (its id: the sequence number of its write), so that a
     * writer unsure whether a write landed (one under way at exit) can tell, and never add it twice.
     */
    writers: z.record(z.string().max(64), count).optional(),
  });

  /** schemaVersion 1, read to be migrated: the same document with each sketch as the library's protobuf, base64. */
  const legacyStatsState = statsState.extend({ sketch: z.base64() });
  const legacyStoredSessionReport = storedSessionReport.extend({
    schemaVersion: z.literal(1),
    aggregates: z.record(z.string(), z.object({ all: legacyStatsState, tools: z.record(z.string(), legacyStatsState) })),
  });

  /** A line of the session list, as stored: what does not change until the session's next call. */
  const sessionSummary = z.object({
    sessionId: z.string(),
    startedAt: isoDate,
    updatedAt: isoDate,
    endedAt: isoDate.optional(),
    agent: agentInfo.optional(),
    /** Calls of every operation type (tool calls, LLM calls, ...). */
    calls: count,
    errors: count,
    /** Calls of the `tool-execution` operation type alone. */
    toolCalls: count,
    toolErrors: count,
    /** `errors / calls`, 0 to 1 (0 without calls). */
    errorRate: finite,
    /** From the first call's start to the last call's end. */
    durationMs: finite,
    /** Tool names of every operation type, most calls first (at most 32). */
    tools: z.array(z.string()),
    /** Alerts of the session, when it has any. */
    alerts: count.optional(),
    /** Of those, the ones firing now. */
    firingAlerts: count.optional(),
  });

  /** A line of the session list as read: the summary and the session's status at the time of reading. */
  const listedSession = sessionSummary.extend({
    /** `ended` once ended; else `active` while its last call is recent, `idle` after. Computed when read, never stored. */
    status: z.enum(SESSION_STATUSES),
  });

  return { alert, agentInfo, durationStats, operationStats, recentCall, recommendation, sessionReport, statsState, operationState, storedSessionReport, legacyStoredSessionReport, sessionSummary, listedSession };
}

export type ReportSchemas = ReturnType<typeof defineReportSchemas>;
