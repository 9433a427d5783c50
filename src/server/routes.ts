import { createRoute } from '@hono/zod-openapi';
import {
  ApiErrorSchema,
  CompareQuery,
  SessionComparisonSchema,
  DurationStatsSchema,
  HealthSchema,
  IngestStatsSchema,
  OperationParams,
  OperationQuery,
  OperationStatsSchema,
  PruneQuery,
  PruneResultSchema,
  SessionIdParams,
  SessionListQuery,
  SessionListSchema,
  SessionRecommendationsSchema,
  SessionReportSchema,
  ToolsQuery,
  ToolTrendListSchema,
} from './schemas.js';
import { AlertListSchema, AlertQuery } from './alert-schemas.js';

/** The report API's routes as OpenAPI operations: `report-app.ts` implements them. */

const json = <T>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const failure = (description: string) => json(ApiErrorSchema, description);
const secured = [{ bearer: [] }];
const common = {
  400: failure('Invalid parameter (`invalid_request`, naming it).'),
  401: failure('Missing or wrong bearer token (when the server has one).'),
};

export const listSessionsRoute = createRoute({
  method: 'get',
  path: '/api/v1/sessions',
  summary: 'Sessions, newest update first, paged',
  security: secured,
  request: { query: SessionListQuery },
  responses: { 200: json(SessionListSchema, 'A page of sessions; `nextCursor` when more follow.'), ...common },
});

export const getReportRoute = createRoute({
  method: 'get',
  path: '/api/v1/sessions/{id}/report',
  summary: "A session's report",
  security: secured,
  request: { params: SessionIdParams },
  responses: { 200: json(SessionReportSchema, 'The report.'), ...common, 404: failure('No such session.') },
});

export const getRecommendationsRoute = createRoute({
  method: 'get',
  path: '/api/v1/sessions/{id}/recommendations',
  summary: "What to change in a session: its recommendations, each with its evidence and estimated saving",
  security: secured,
  request: { params: SessionIdParams },
  responses: { 200: json(SessionRecommendationsSchema, 'The recommendations, the largest saving first.'), ...common, 404: failure('No such session.') },
});

export const getOperationRoute = createRoute({
  method: 'get',
  path: '/api/v1/sessions/{id}/operations/{type}',
  summary: "An operation type's statistics in a session, or one tool's with `?tool=`",
  security: secured,
  request: { params: OperationParams, query: OperationQuery },
  responses: {
    200: json(OperationStatsSchema.or(DurationStatsSchema), '`OperationStats`, or `DurationStats` with `?tool=`.'),
    ...common,
    404: failure('No such session, operation type or tool.'),
  },
});

export const deleteSessionRoute = createRoute({
  method: 'delete',
  path: '/api/v1/sessions/{id}',
  summary: 'Deletes a session (memory and store)',
  security: secured,
  request: { params: SessionIdParams },
  responses: { 204: { description: 'Deleted.' }, ...common, 404: failure('No such session.') },
});

/**
 * Retention, on the collection: DELETE rather than a POST to a prune route because a browser
 * sends a cross-origin DELETE only after a CORS preflight (which this server never allows), while a
 * plain POST goes out from any web page the user visits (the loopback check does not stop one
 * addressed to 127.0.0.1). Without `olderThan` it is refused: never "delete everything".
 */
export const pruneSessionsRoute = createRoute({
  method: 'delete',
  path: '/api/v1/sessions',
  summary: 'Deletes the sessions not updated for `olderThan` (retention)',
  security: secured,
  request: { query: PruneQuery },
  responses: { 200: json(PruneResultSchema, 'What was removed.'), ...common },
});

export const listToolsRoute = createRoute({
  method: 'get',
  path: '/api/v1/tools',
  summary: 'Every tool across stored sessions, most calls first, with its per-session trend',
  security: secured,
  request: { query: ToolsQuery },
  responses: { 200: json(ToolTrendListSchema, 'Tools.'), ...common },
});

export const compareRoute = createRoute({
  method: 'get',
  path: '/api/v1/compare',
  summary: 'Session b against session a, per operation type and tool, with a significance flag per row',
  security: secured,
  request: { query: CompareQuery },
  responses: { 200: json(SessionComparisonSchema, 'The comparison.'), ...common, 404: failure('No such session (a or b, named).') },
});

export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness (no token needed)',
  responses: { 200: json(HealthSchema, 'Up.') },
});

export const ingestStatsRoute = createRoute({
  method: 'get',
  path: '/api/v1/ingest',
  summary: 'What OTLP ingest did with the records it was sent, per signal and source',
  security: secured,
  responses: { 200: json(IngestStatsSchema, 'Counts since the server started.'), ...common },
});

export const listAlertsRoute = createRoute({
  method: 'get',
  path: '/api/v1/alerts',
  summary: 'Alerts of live and stored sessions, latest transition first, filtered by state, session and tool',
  security: secured,
  request: { query: AlertQuery },
  responses: { 200: json(AlertListSchema, 'Alerts.'), ...common },
});
