import { z } from '@hono/zod-openapi';
import { defineReportSchemas } from '../document/schema.js';
import { MAX_SESSION_ID_LENGTH, isValidSessionId } from '../util/session-id.js';

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

export const SessionListQuery = z.object({
  limit: integerParam(1, MAX_PAGE_LIMIT, DEFAULT_PAGE_LIMIT).openapi({
    param: { name: 'limit', in: 'query' },
    description: `Sessions per page, 1 to ${MAX_PAGE_LIMIT}; default ${DEFAULT_PAGE_LIMIT}.`,
    type: 'integer',
  }),
  cursor: z
    .string()
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: 'Opaque: the `nextCursor` of the previous page.' }),
  agent: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .openapi({ param: { name: 'agent', in: 'query' }, description: 'Only sessions from this agent (its name: `claude-code`, `codex`, `gemini-cli`, `opencode`, ...).' }),
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

export const SessionSummarySchema = document.sessionSummary.openapi('SessionSummary');

export const SessionListSchema = z
  .object({ sessions: z.array(SessionSummarySchema), nextCursor: z.string().optional() })
  .openapi('SessionList');

export const DurationStatsSchema = document.durationStats.openapi('DurationStats');

export const OperationStatsSchema = document.operationStats.openapi('OperationStats');

export const SessionReportSchema = document.sessionReport
  .extend({ operations: z.record(z.string(), OperationStatsSchema), recent: z.array(document.recentCall.openapi('RecentCall')) })
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
