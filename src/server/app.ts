import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { BlankEnv } from 'hono/types';
import { consoleLogger, describeError, type Logger } from '../util/logger.js';
import type { Reports } from '../reports/reports.js';
import { InvalidSessionIdError } from '../util/session-id.js';
import { VERSION } from '../util/version.js';
import { apiError } from './api-error.js';
import { compareRoute, deleteSessionRoute, getOperationRoute, getRecommendationsRoute, getReportRoute, healthRoute, ingestStatsRoute, listAlertsRoute, listSessionsRoute, listToolsRoute, pruneSessionsRoute } from './routes.js';
import { DEFAULT_ALERTS_LIMIT } from './alert-schemas.js';
import { requireBearerToken } from './bearer-token.js';
import { otlpHandler } from './otlp-ingest/otlp-route.js';
import { EventLoopTurns } from './otlp-ingest/event-loop-turns.js';
import { IngestPipeline } from './otlp-ingest/ingest-pipeline.js';
import { keyedFingerprinter } from '../reports/argument-fingerprints.js';
import { declaresBodyOver } from './otlp-ingest/read-body.js';
import { decodeSessionCursor, encodeSessionCursor } from './session-cursor.js';
import { ownEntry } from '../util/own-record.js';
import { isLoopbackHost } from './loopback.js';
import { DEFAULT_SESSION_SORT } from '../reports/session-query.js';

/** 4 MiB: a few thousand spans per OTLP request, far above what an SDK batch sends. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface ReportAppOptions {
  /**
   * Serve OTLP ingest (`POST /v1/traces`, `/v1/logs`, `/v1/metrics`), folding the tool calls of
   * spans and log records into `reports`. Default true; false answers 404 there.
   */
  readonly ingest?: boolean;
  /**
   * When set, `/api/*` and `/v1/*` need `Authorization: Bearer <token>`; `/healthz` stays open.
   * Without one, only requests whose `Host` is a loopback name (localhost, 127.x, [::1]) are answered.
   */
  readonly token?: string;
  /** Largest request body, before and after gzip. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Where unexpected errors are logged (once each, never answered). */
  readonly logger?: Logger;
  /** A Hono app mounted at `/`, after the API routes (the dashboard). */
  readonly dashboard?: Hono;
  /**
   * Fingerprint the arguments that agents send with their calls (Codex always does) with the
   * reports' store's secret, then drop them (the config's `fingerprintArguments`). Default false.
   */
  readonly fingerprintArguments?: boolean;
}

/**
 * The report API (and OTLP ingest) as a Hono app: serve it with `startReportServer`, or mount it
 * in your own server. Routes and shapes are in `GET /openapi.json`.
 *
 * @example
 * const app = createReportApp(createReports({ dataDir: './.toolperf' }));
 * const response = await app.request('/api/v1/sessions?limit=10');
 */
export function createReportApp(reports: Reports, options: ReportAppOptions = {}): Hono {
  if (options.token === '') throw new TypeError('createReportApp: token must not be empty; leave it out for no token');
  const logger = options.logger ?? consoleLogger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = new OpenAPIHono<BlankEnv>({
    defaultHook: (result, c) => {
      if (result.success) return undefined;
      const issue = result.error.issues[0];
      const parameter = issue?.path.map(String).join('.') || result.target;
      return apiError(c, 400, 'invalid_request', `${parameter}: ${issue?.message ?? 'invalid'}`);
    },
  });

  app.onError((error, c) => {
    if (error instanceof InvalidSessionIdError) return apiError(c, 400, 'invalid_request', error.message);
    logger.warn(`report server: ${c.req.method} ${c.req.path} failed: ${describeError(error)}`);
    return apiError(c, 500, 'internal', 'internal error; the server logged it');
  });
  app.notFound((c) => apiError(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}`));

  if (options.token !== undefined) {
    const auth = requireBearerToken(options.token);
    app.use('/api/*', auth);
    app.use('/v1/*', auth);
  } else {
    // Without a token, only requests addressed to a loopback name: a web page the user visits could
    // otherwise rebind its own host name to 127.0.0.1 and read, delete or post reports (DNS rebinding).
    app.use('*', async (c, next) => {
      const host = c.req.header('host') ?? new URL(c.req.url).host;
      if (!isLoopbackHost(hostnameOf(host))) {
        return apiError(c, 403, 'forbidden', `this server answers requests to a loopback host only, not ${JSON.stringify(host)}; give it a token to serve other names`);
      }
      await next();
      return undefined;
    });
  }
  // No API route reads a body; one declared too large is refused before anything else happens.
  app.use('/api/*', async (c, next) => {
    if (declaresBodyOver(c.req.raw, maxBodyBytes)) return apiError(c, 413, 'payload_too_large', `body is larger than ${maxBodyBytes} bytes`);
    await next();
    return undefined;
  });

  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(listSessionsRoute, async (c) => {
    const { limit, cursor, sort: by, order, ...filter } = c.req.valid('query');
    const decoded = cursor === undefined ? undefined : decodeSessionCursor(cursor);
    if (cursor !== undefined && decoded === undefined) {
      return apiError(c, 400, 'invalid_request', 'cursor: not a cursor this server gave out (pass the nextCursor of the previous page)');
    }
    // The cursor carries its sort: given again it must agree, left out it is the cursor's.
    const sort = { by: by ?? decoded?.sort.by ?? DEFAULT_SESSION_SORT.by, order: order ?? decoded?.sort.order ?? DEFAULT_SESSION_SORT.order };
    if (decoded !== undefined && (decoded.sort.by !== sort.by || decoded.sort.order !== sort.order)) {
      return apiError(c, 400, 'invalid_request', `cursor: made for sort=${decoded.sort.by}&order=${decoded.sort.order}, not sort=${sort.by}&order=${sort.order}; start again without a cursor`);
    }
    const query = { limit, sort, filter: definedOnly(filter) };
    const page = await reports.listSessionsPage(decoded === undefined ? query : { ...query, after: decoded.position });
    const last = page.sessions.at(-1);
    const nextCursor = page.hasMore && last !== undefined ? encodeSessionCursor(sort, last) : undefined;
    return c.json(nextCursor === undefined ? { sessions: page.sessions } : { sessions: page.sessions, nextCursor }, 200);
  });

  app.openapi(getReportRoute, async (c) => {
    const { id } = c.req.valid('param');
    const report = await reports.getReport({ sessionId: id });
    if (report === undefined) return apiError(c, 404, 'not_found', `no session ${JSON.stringify(id)}`);
    return c.json({ ...report, status: reports.statusOf(report) }, 200);
  });

  app.openapi(getRecommendationsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const report = await reports.getReport({ sessionId: id });
    if (report === undefined) return apiError(c, 404, 'not_found', `no session ${JSON.stringify(id)}`);
    return c.json({ sessionId: id, recommendations: report.recommendations ?? [] }, 200);
  });

  app.openapi(getOperationRoute, async (c) => {
    const { id, type } = c.req.valid('param');
    const { tool } = c.req.valid('query');
    const report = await reports.getReport({ sessionId: id });
    if (report === undefined) return apiError(c, 404, 'not_found', `no session ${JSON.stringify(id)}`);
    const operation = ownEntry(report.operations, type);
    if (operation === undefined) return apiError(c, 404, 'not_found', `session ${JSON.stringify(id)} has no operation type ${JSON.stringify(type)}`);
    if (tool === undefined) return c.json(operation, 200);
    const stats = ownEntry(operation.tools, tool);
    if (stats === undefined) return apiError(c, 404, 'not_found', `session ${JSON.stringify(id)} has no tool ${JSON.stringify(tool)} in ${JSON.stringify(type)}`);
    return c.json(stats, 200);
  });

  app.openapi(pruneSessionsRoute, async (c) => {
    const { olderThan, dryRun } = c.req.valid('query');
    return c.json(await reports.prune({ olderThanMs: olderThan, dryRun }), 200);
  });

  app.openapi(deleteSessionRoute, async (c) => {
    const { id } = c.req.valid('param');
    if ((await reports.clear({ sessionId: id })) === 0) return apiError(c, 404, 'not_found', `no session ${JSON.stringify(id)}`);
    return c.body(null, 204);
  });

  app.openapi(compareRoute, async (c) => {
    const { a, b } = c.req.valid('query');
    const comparison = await reports.compareSessions({ a, b });
    if (comparison !== undefined) return c.json(comparison, 200);
    const missing = (await reports.getReport({ sessionId: a })) === undefined ? a : b;
    return apiError(c, 404, 'not_found', `no session ${JSON.stringify(missing)}`);
  });

  app.openapi(listToolsRoute, async (c) => {
    const { sessions } = c.req.valid('query');
    return c.json({ tools: await reports.listToolTrends({ sessionsPerTool: sessions }) }, 200);
  });

  app.openapi(listAlertsRoute, async (c) => {
    const { state, session, tool, limit } = c.req.valid('query');
    const query = { limit: limit ?? DEFAULT_ALERTS_LIMIT, ...(state ? { state } : {}), ...(session ? { sessionId: session } : {}), ...(tool ? { toolName: tool } : {}) };
    return c.json({ alerts: await reports.listAlerts(query) }, 200);
  });

  if (options.ingest !== false) {
    const keyed = options.fingerprintArguments === true ? keyedFingerprinter(reports, logger) : undefined;
    const pipeline = new IngestPipeline(reports, {
      logger,
      ...(keyed === undefined ? {} : { fingerprint: (args: string) => keyed.fingerprinter.ofJsonText(args), ready: keyed.ready }),
    });
    ingestPipelines.set(app, pipeline);
    // The three signals' requests take turns at decoding and folding, one slice each.
    const turns = new EventLoopTurns();
    app.post('/v1/traces', otlpHandler('span', pipeline, maxBodyBytes, turns));
    app.post('/v1/logs', otlpHandler('log', pipeline, maxBodyBytes, turns));
    app.post('/v1/metrics', otlpHandler('metric', pipeline, maxBodyBytes, turns));
    app.openapi(ingestStatsRoute, (c) => c.json(pipeline.stats(), 200));
  } else {
    app.post('/v1/*', (c) => apiError(c, 404, 'not_found', 'OTLP ingest is not enabled on this server'));
  }
  for (const signal of OTLP_SIGNALS) registerOtlpRoute(app, signal);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'toolperf report API', version: VERSION, description: 'Per-session performance reports of AI-agent tool calls.' },
  });

  if (options.dashboard) app.route('/', options.dashboard);
  return app;
}

const ingestPipelines = new WeakMap<Hono, IngestPipeline>();

/**
 * Runs the OTLP ingest's waiting steps of an app made by `createReportApp` now (calls held for
 * their copy on another signal are folded): before its reports are flushed for the last time.
 */
export function flushIngest(app: Hono): void {
  ingestPipelines.get(app)?.flush();
}

const OTLP_SIGNALS = [
  { path: '/v1/traces', request: 'ExportTraceServiceRequest', response: 'ExportTraceServiceResponse', what: 'trace', rejected: 'spans' },
  { path: '/v1/logs', request: 'ExportLogsServiceRequest', response: 'ExportLogsServiceResponse', what: 'log', rejected: 'log records' },
  { path: '/v1/metrics', request: 'ExportMetricsServiceRequest', response: 'ExportMetricsServiceResponse', what: 'metric', rejected: 'metrics' },
] as const;

/** The OTLP routes are served by hand (their bodies are OTLP, not JSON schemas); this documents them. */
function registerOtlpRoute(app: OpenAPIHono<BlankEnv>, signal: (typeof OTLP_SIGNALS)[number]): void {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: signal.path,
    summary: `OTLP/HTTP ${signal.what} ingest (JSON or protobuf, optionally gzip)`,
    security: [{ bearer: [] }],
    request: {
      body: {
        content: {
          'application/x-protobuf': { schema: { type: 'string', format: 'binary' } },
          'application/json': { schema: { type: 'object', description: `${signal.request} in OTLP/JSON` } },
        },
      },
    },
    responses: {
      200: { description: `${signal.response} in the request encoding; \`partialSuccess\` when ${signal.rejected} were rejected.` },
      400: { description: 'Undecodable body: google.rpc.Status in the request encoding.' },
      401: { description: 'Missing or wrong bearer token.' },
      404: { description: 'Ingest not enabled on this server.' },
      413: { description: 'Body larger than the limit, before or after gzip.' },
      415: { description: 'Content-Type other than application/json or application/x-protobuf.' },
    },
  });
}

/** `record` without its undefined entries (`exactOptionalPropertyTypes`). */
function definedOnly<T extends object>(record: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** `127.0.0.1` of `127.0.0.1:7318`, `::1` of `[::1]:7318`; an unparsable Host gives itself (not loopback). */
function hostnameOf(host: string): string {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return host;
  }
}
