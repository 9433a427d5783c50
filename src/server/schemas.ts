import { z } from '@hono/zod-openapi';
import { defineReportSchemas, SESSION_STATUSES } from '../document/schema.js';
import { SESSION_SORT_FIELDS } from '../reports/session-query.js';
import { MAX_SESSION_ID_LENGTH, isValidSessionId } from '../util/session-id.js';
import { DURATION_FORMAT, parseDuration } from '../util/duration.js';

/** Zod schemas of the report API: they validate requests and describe every answer in `/openapi.json`. */

export const MAX_PAGE_LIMIT = 500;
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_TREND_SESSIONS = 1000;
export const DEFAULT_TREND_SESSIONS = 20;

const SESSION_ID_RULE = `1-${MAX_SESSION_ID_LENGTH} letters, digits, "_", "-" or ".", starting with a letter, digit or "_"`;

export const SessionIdParams = z.object({
  id: z
    .string()
    .refine(isValidSessionId, { message: `invalid session id: expected ${SESSION_ID_RULE}` })
    .openapi({ param: { name: 'id', in: 'path' }, description: SESSION_ID_RULE, example: 'ses_1' }),
});

export const OperationParams = SessionIdParams.extend({
  type: z.string().min(1).max(128).openapi({ param: { name: 'type', in: 'path' }, example: 'tool-execution' }),
});

/** An integer query parameter: the text must be the integer itself ("10", not "1e1" or " 10"). */
function integerParam(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d{1,7}$/, { message: `expected an integer from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().min(min, { message: `expected an integer from ${min} to ${max}` }).max(max, { message: `expected an integer from ${min} to ${max}` }))
    .optional()
    .transform((value) => value ?? fallback);
}

/** An ISO 8601 date-time query parameter, as epoch milliseconds. */
function timeParam(name: string, description: string) {
  return z
    .string()
    .max(64)
    .refine((text) => !Number.isNaN(Date.parse(text)) && /^\d{4}-\d{2}-\d{2}/.test(text), { message: 'expected an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z' })
    .transform((text) => Date.parse(text))
    .optional()
    .openapi({ param: { name, in: 'query' }, description, type: 'string', format: 'date-time' });
}

export const SessionListQuery = z.object({
  limit: integerParam(1, MAX_PAGE_LIMIT, DEFAULT_PAGE_LIMIT).openapi({
    param: { name: 'limit', in: 'query' },
    description: `Sessions per page, 1 to ${MAX_PAGE_LIMIT}; default ${DEFAULT_PAGE_LIMIT}.`,
    type: 'integer',
  }),
  cursor: z
    .string()
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: 'Opaque: the `nextCursor` of the previous page (it carries the sort; the filters are to be passed again).' }),
  status: z
    .string()
    .max(64)
    .transform((text) => [...new Set(text.split(',').map((part) => part.trim()))])
    .pipe(z.array(z.enum(SESSION_STATUSES, { message: `expected ${SESSION_STATUSES.join(', ')}, or several of them separated by commas` })))
    .optional()
    .openapi({ param: { name: 'status', in: 'query' }, description: `Sessions with this status, or one of several separated by commas: ${SESSION_STATUSES.join(', ')}.`, type: 'string', example: 'active,idle' }),
  hasErrors: z
    .enum(['true', 'false'], { message: 'expected true or false' })
    .transform((text) => text === 'true')
    .optional()
    .openapi({ param: { name: 'hasErrors', in: 'query' }, description: '`true`: sessions with a failed call; `false`: without one.', type: 'string' }),
  tool: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .openapi({ param: { name: 'tool', in: 'query' }, description: 'Sessions that called this tool (one of the tools their summary lists).' }),
  since: timeParam('since', 'Sessions updated at or after this time (ISO 8601).'),
  until: timeParam('until', 'Sessions updated at or before this time (ISO 8601).'),
  search: z
    .string()
    .min(1)
    .max(MAX_SESSION_ID_LENGTH)
    .optional()
    .openapi({ param: { name: 'search', in: 'query' }, description: 'Sessions whose ID holds this text, any case.' }),
  sort: z
    .enum(SESSION_SORT_FIELDS, { message: `expected one of ${SESSION_SORT_FIELDS.join(', ')}` })
    .optional()
    .openapi({ param: { name: 'sort', in: 'query' }, description: `Sort field; default \`updatedAt\` (with \`order=desc\`: newest first). Ties go by session ID.` }),
  order: z
    .enum(['asc', 'desc'], { message: 'expected asc or desc' })
    .optional()
    .openapi({ param: { name: 'order', in: 'query' }, description: 'Sort order; default `desc`.' }),
  agent: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .openapi({ param: { name: 'agent', in: 'query' }, description: 'Only sessions from this agent (its name: `claude-code`, `codex`, `gemini-cli`, `opencode`, ...).' }),
});

export const PruneQuery = z.object({
  olderThan: z
    .string({ error: `required: ${DURATION_FORMAT}` })
    .refine((value) => parseDuration(value) !== undefined, { message: `expected ${DURATION_FORMAT}` })
    .transform((value) => parseDuration(value) as number)
    .openapi({
      param: { name: 'olderThan', in: 'query', required: true },
      description: `Remove the sessions whose last call is older than this: ${DURATION_FORMAT}.`,
      type: 'string',
      example: '30d',
    }),
  dryRun: z
    .enum(['true', 'false'], { error: 'expected true or false' })
    .optional()
    .transform((value) => value === 'true')
    .openapi({ param: { name: 'dryRun', in: 'query' }, description: '`true`: only list what would be removed.', type: 'string' }),
});

export const OperationQuery = z.object({
  tool: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .openapi({ param: { name: 'tool', in: 'query' }, description: "One tool's statistics instead of the operation type's." }),
});

export const ToolsQuery = z.object({
  sessions: integerParam(1, MAX_TREND_SESSIONS, DEFAULT_TREND_SESSIONS).openapi({
    param: { name: 'sessions', in: 'query' },
    description: `Points per trend: the last N sessions that used the tool, 1 to ${MAX_TREND_SESSIONS}; default ${DEFAULT_TREND_SESSIONS}.`,
    type: 'integer',
  }),
});

const isoTime = z.string().openapi({ format: 'date-time' });

/** The report document's own schemas (the ones stored reports are checked with), named for OpenAPI. */
const document = defineReportSchemas(z);

export const SessionSummarySchema = document.listedSession.openapi('SessionSummary');

export const SessionListSchema = z
  .object({ sessions: z.array(SessionSummarySchema), nextCursor: z.string().optional() })
  .openapi('SessionList');

export const PruneResultSchema = z
  .object({
    before: isoTime.openapi({ description: 'Sessions last updated before this were removed.' }),
    removed: z.array(SessionSummarySchema).openapi({ description: 'What was removed (or would be, on a dry run), newest first.' }),
  })
  .openapi('PruneResult');

export const DurationStatsSchema = document.durationStats.openapi('DurationStats');

export const OperationStatsSchema = document.operationStats.openapi('OperationStats');

export const RecommendationSchema = document.recommendation.openapi('Recommendation');

export const SessionRecommendationsSchema = z
  .object({
    sessionId: z.string(),
    recommendations: z.array(RecommendationSchema).openapi({ description: 'The largest estimated saving first; empty when nothing stands out.' }),
  })
  .openapi('SessionRecommendations');

export const SessionReportSchema = document.sessionReport
  .extend({
    operations: z.record(z.string(), OperationStatsSchema),
    recent: z.array(document.recentCall.openapi('RecentCall')),
    recommendations: z.array(RecommendationSchema).optional(),
    status: document.listedSession.shape.status.openapi({ description: "The session's status now, as the session list shows it." }),
  })
  .openapi('SessionReport');

export const ToolTrendListSchema = z
  .object({
    tools: z.array(
      z
        .object({
          toolName: z.string(),
          operationType: z.string(),
          calls: z.number().int(),
          errors: z.number().int(),
          errorRate: z.number().openapi({ description: '0 to 1' }),
          p50Ms: z.number(),
          p95Ms: z.number(),
          errorTypes: z.record(z.string(), z.number().int()).openapi({ description: 'Failed calls by `error.type`, across every stored session.' }),
          sessions: z.number().int().openapi({ description: 'How many stored sessions used the tool.' }),
          trend: z
            .array(
              z.object({
                sessionId: z.string(),
                startedAt: isoTime,
                calls: z.number().int(),
                errorRate: z.number(),
                p50Ms: z.number(),
                p95Ms: z.number(),
              }),
            )
            .readonly(),
        })
        .openapi('ToolTrend'),
    ),
  })
  .openapi('ToolTrendList');

const sessionIdParam = (name: 'a' | 'b', description: string) =>
  z
    .string()
    .refine(isValidSessionId, { message: `invalid session id: expected ${SESSION_ID_RULE}` })
    .openapi({ param: { name, in: 'query' }, description, example: name === 'a' ? 'ses_yesterday' : 'ses_today' });

export const CompareQuery = z.object({
  a: sessionIdParam('a', 'The baseline session.'),
  b: sessionIdParam('b', 'The session compared with it.'),
});

const ratio = z.number().nullable().openapi({ description: 'b / a; null when a’s is 0.' });

const ComparedSideSchema = z
  .object({
    count: z.number().int(),
    errors: z.number().int(),
    errorRate: z.number().openapi({ description: '0 to 1' }),
    meanMs: z.number(),
    p50Ms: z.number(),
    p95Ms: z.number(),
    p99Ms: z.number(),
  })
  .openapi('ComparedSide');

const comparedStats = {
  a: ComparedSideSchema.nullable().openapi({ description: 'Null when session a has no such calls.' }),
  b: ComparedSideSchema.nullable(),
  delta: z
    .object({ p50Ratio: ratio, p95Ratio: ratio, p99Ratio: ratio, meanRatio: ratio, errorRateChange: z.number().openapi({ description: 'b’s error rate minus a’s, −1 to 1.' }) })
    .nullable()
    .openapi({ description: 'Null unless both sides have calls.' }),
  pValue: z.number().nullable().openapi({
    description: 'Mann–Whitney U on the two sketches, two-sided, Holm-adjusted over the rows of the comparison; null with fewer than 10 calls on a side.',
  }),
  significant: z.boolean().openapi({ description: 'Durations shifted beyond noise: adjusted p < 0.01 and p50s at least 1.2× apart.' }),
};

export const SessionComparisonSchema = z
  .object({
    a: SessionSummarySchema,
    b: SessionSummarySchema,
    operations: z.array(
      z
        .object({
          operationType: z.string(),
          ...comparedStats,
          tools: z.array(z.object({ toolName: z.string(), ...comparedStats }).openapi('ToolComparison')),
        })
        .openapi('OperationComparison'),
    ),
  })
  .openapi('SessionComparison');

export const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health');

export const ApiErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(['not_found', 'invalid_request', 'unauthorized', 'forbidden', 'payload_too_large', 'unsupported_media_type', 'internal']),
      message: z.string(),
    }),
  })
  .openapi('Error');

const ingestCounts = z.object({
  mapped: z.number().int().openapi({ description: 'Records a source turned into calls.' }),
  ignored: z.number().int().openapi({ description: 'Records a source knew that hold no call (model requests, session events, copies of a call on the other signal).' }),
  unknown: z.number().int().openapi({ description: 'Records no source knew.' }),
});

export const IngestStatsSchema = z
  .object({
    span: ingestCounts,
    log: ingestCounts,
    metric: z.object({ received: z.number().int() }),
    duplicates: z.number().int().openapi({ description: 'Calls an agent sent on two signals, counted once.' }),
    bySource: z.record(z.string(), z.number().int()).openapi({ description: 'Records mapped into calls, per source (claude-code, codex, ...).' }),
  })
  .openapi('IngestStats');
