import { z } from '@hono/zod-openapi';
import { ALERT_STATES, defineReportSchemas } from '../document/schema.js';
import { MAX_SESSION_ID_LENGTH, isValidSessionId } from '../util/session-id.js';

/** Schemas of `GET /api/v1/alerts`: its filters and its answer. */

export const MAX_ALERTS_LIMIT = 1000;
export const DEFAULT_ALERTS_LIMIT = 100;

const document = defineReportSchemas(z);

export const AlertQuery = z.object({
  state: z
    .enum(ALERT_STATES, { message: `expected ${ALERT_STATES.join(' or ')}` })
    .optional()
    .openapi({ param: { name: 'state', in: 'query' }, description: `Alerts in this state: ${ALERT_STATES.join(' or ')}; default both.` }),
  session: z
    .string()
    .max(MAX_SESSION_ID_LENGTH)
    .refine(isValidSessionId, { message: 'invalid session id' })
    .optional()
    .openapi({ param: { name: 'session', in: 'query' }, description: "One session's alerts.", example: 'ses_1' }),
  tool: z.string().min(1).max(256).optional().openapi({ param: { name: 'tool', in: 'query' }, description: "One tool's alerts (its exact name)." }),
  limit: z
    .string()
    .regex(/^\d{1,7}$/, { message: `expected an integer from 1 to ${MAX_ALERTS_LIMIT}` })
    .transform(Number)
    .pipe(z.number().min(1, { message: `expected an integer from 1 to ${MAX_ALERTS_LIMIT}` }).max(MAX_ALERTS_LIMIT, { message: `expected an integer from 1 to ${MAX_ALERTS_LIMIT}` }))
    .optional()
    .openapi({ param: { name: 'limit', in: 'query' }, description: `At most this many, 1 to ${MAX_ALERTS_LIMIT}; default ${DEFAULT_ALERTS_LIMIT}.`, type: 'integer' }),
});

export const AlertSchema = document.alert
  .extend({ sessionId: z.string().openapi({ description: 'The session the alert belongs to.' }) })
  .openapi('Alert', { description: 'An alert: its rule, session and tool, its state and the numbers that made it fire.' });

export const AlertListSchema = z.object({ alerts: z.array(AlertSchema) }).openapi('AlertList');
