import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { PerformanceAPI, SessionReport } from '../../src/index.js';

/** `GET /api/v1/tools`'s entries, as the contract (`/work/contract-4.md`) shapes them. */
export interface ToolTrendForDashboardTest {
  toolName: string;
  operationType: string;
  calls: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  sessions: number;
  trend: { sessionId: string; startedAt: string; calls: number; errorRate: number; p50Ms: number; p95Ms: number }[];
}

/**
 * TEST ONLY. Stands in for `createReportApp` (built on another branch) until the merge, when the
 * dashboard test switches to `createReportApp(api, { dashboard: createDashboardApp(), token })` and
 * this file goes. It answers just the routes the dashboard reads, with the contract's JSON, from a
 * real `PerformanceAPI`; the tool totals' p50/p95 are a calls-weighted mean of the sessions' (the
 * real app merges the sketches), so the test does not compare those.
 */
export class FakeReportApiForDashboardTest {
  readonly app = new Hono();

  constructor(api: PerformanceAPI, options: { dashboard: Hono; token?: string }) {
    const { app } = this;
    if (options.token !== undefined) {
      const expected = `Bearer ${options.token}`;
      app.use('/api/*', async (c, next) => {
        if (c.req.header('authorization') !== expected) return error(c, 401, 'unauthorized', 'a bearer token is required');
        return next();
      });
    }
    app.get('/api/v1/sessions', async (c) => {
      const limit = Number(c.req.query('limit') ?? 50);
      const offset = Number(c.req.query('cursor') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500 || !Number.isInteger(offset) || offset < 0) {
        return error(c, 400, 'invalid_request', 'bad limit or cursor');
      }
      const all = await api.listSessions();
      const sessions = all.slice(offset, offset + limit);
      return c.json(offset + limit < all.length ? { sessions, nextCursor: String(offset + limit) } : { sessions });
    });
    app.get('/api/v1/sessions/:id/report', async (c) => {
      const report = await api.getReport({ sessionId: c.req.param('id') });
      return report === undefined ? error(c, 404, 'not_found', 'no such session') : c.json(report);
    });
    app.get('/api/v1/tools', async (c) => {
      const n = Number(c.req.query('sessions') ?? 20);
      const reports = await Promise.all((await api.listSessions()).map((s) => api.getReport({ sessionId: s.sessionId })));
      return c.json({ tools: toolTrends(reports.filter((r): r is SessionReport => r !== undefined), n) });
    });
    app.route('/', options.dashboard);
  }
}

function toolTrends(reports: SessionReport[], lastSessions: number): ToolTrendForDashboardTest[] {
  const byTool = new Map<string, ToolTrendForDashboardTest>();
  const oldestFirst = [...reports].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (const report of oldestFirst) {
    for (const [operationType, op] of Object.entries(report.operations)) {
      for (const [toolName, s] of Object.entries(op.tools)) {
        const key = `${operationType}\u0000${toolName}`;
        const t = byTool.get(key) ?? { toolName, operationType, calls: 0, errors: 0, errorRate: 0, p50Ms: 0, p95Ms: 0, sessions: 0, trend: [] };
        t.p50Ms = (t.p50Ms * t.calls + s.p50Ms * s.count) / (t.calls + s.count);
        t.p95Ms = (t.p95Ms * t.calls + s.p95Ms * s.count) / (t.calls + s.count);
        t.calls += s.count;
        t.errors += s.errors;
        t.errorRate = t.errors / t.calls;
        t.sessions++;
        t.trend.push({ sessionId: report.sessionId, startedAt: report.startedAt, calls: s.count, errorRate: s.errors / s.count, p50Ms: s.p50Ms, p95Ms: s.p95Ms });
        byTool.set(key, t);
      }
    }
  }
  return [...byTool.values()]
    .map((t) => ({ ...t, trend: t.trend.slice(-lastSessions) }))
    .sort((a, b) => b.calls - a.calls);
}

function error(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({ error: { code, message } }, status);
}
