import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { RunningStats } from '../../../src/reports/running-stats.js';
import { createReportApp } from '../../../src/server/app.js';
import type { ReportStore } from '../../../src/storage/report-store.js';
import { createReports, type Reports } from '../../../src/reports/reports.js';
import { recordingLogger } from '../../helpers/tracking.js';
import { memoryReports, sessionCalls, storedReport, T0, type CallSpec } from './fixtures.js';

type Json = Record<string, unknown>;
const opened: Reports[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((r) => r.shutdown()));
});

function setup(options: Parameters<typeof createReportApp>[1] = {}) {
  const env = memoryReports();
  opened.push(env.reports);
  const app = createReportApp(env.reports, { logger: env.logger, ...options });
  return { ...env, app };
}

async function json(response: Response): Promise<Json> {
  return (await response.json()) as Json;
}

function expectError(body: Json, code: string, message: RegExp): void {
  expect(body).toEqual({ error: { code, message: expect.stringMatching(message) } });
}

const CALLS: CallSpec[] = [
  { tool: 'read', ms: 5 },
  { tool: 'read', ms: 7, error: 'ENOENT' },
  { tool: 'grep', ms: 20 },
];

describe('GET /healthz and unknown routes', () => {
  it('answers ok', async () => {
    const { app } = setup();
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers 404 JSON for an unknown route', async () => {
    const { app } = setup();
    const response = await app.request('/api/v1/nope');
    expect(response.status).toBe(404);
    expectError(await json(response), 'not_found', /no route GET \/api\/v1\/nope/);
  });
});

describe('GET /api/v1/sessions', () => {
  it('pages through more sessions than the limit, newest first, without gaps or repeats', async () => {
    const { app, store } = setup();
    // 11 sessions; two pairs share an updatedAt, so ties are ordered by session ID.
    const starts = [0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8];
    for (const [i, minute] of starts.entries()) await store.put(storedReport(`ses_${String.fromCharCode(107 - i)}`, T0 + minute * 60_000, CALLS));
    // Stored in 2026-01-01, read now: every one is idle.
    const expected = (await store.list())
      .sort((a, b) => (a.updatedAt === b.updatedAt ? (a.sessionId < b.sessionId ? -1 : 1) : a.updatedAt > b.updatedAt ? -1 : 1))
      .map((s) => ({ ...s, status: 'idle' }));

    const seen: Json[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await app.request(`/api/v1/sessions?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      const body = await json(response);
      seen.push(...(body.sessions as Json[]));
      cursor = body.nextCursor as string | undefined;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual(expected);
    expect(seen[0]).toMatchObject({ calls: 3, errors: 1 });
  });

  it('defaults to 50 and gives no cursor on the last page', async () => {
    const { app, store } = setup();
    await store.put(storedReport('ses_1', T0, CALLS));
    const body = await json(await app.request('/api/v1/sessions'));
    expect(body).toEqual({ sessions: [expect.objectContaining({ sessionId: 'ses_1' })] });
  });

  it.each(['0', '501', 'abc', '1.5', '-1', '', '1e2'])('rejects limit=%j', async (limit) => {
    const { app } = setup();
    const response = await app.request(`/api/v1/sessions?limit=${limit}`);
    expect(response.status).toBe(400);
    expectError(await json(response), 'invalid_request', /^limit: /);
  });

  it.each(['not-a-cursor!', Buffer.from('["x"]').toString('base64url'), Buffer.from('[1,"ses"]').toString('base64url'), 'a'.repeat(600)])(
    'rejects cursor=%s',
    async (cursor) => {
      const { app } = setup();
      const response = await app.request(`/api/v1/sessions?cursor=${encodeURIComponent(cursor)}`);
      expect(response.status).toBe(400);
      expectError(await json(response), 'invalid_request', /^cursor: /);
    },
  );
});

describe('GET /api/v1/sessions: filters and sort', () => {
  /** Sessions at known times around now: status, errors and tools tell them apart. */
  async function seeded() {
    const env = setup();
    const now = Date.now();
    const put = (id: string, minutesAgo: number, calls: CallSpec[]) => env.store.put(storedReport(id, now - minutesAgo * 60_000, calls));
    await put('ses_fresh', 1, [{ tool: 'read', ms: 5 }, { tool: 'bash', ms: 900, error: 'Exit1' }]);
    await put('ses_stale', 10, [{ tool: 'read', ms: 5 }, { tool: 'read', ms: 6 }, { tool: 'grep', ms: 7 }]);
    await put('ses_old', 60 * 24, [{ tool: 'grep', ms: 50, error: 'Timeout' }, { tool: 'plan', ms: 3000, operationType: 'llm-call' }]);
    await env.reports.endSession('ses_old');
    return env;
  }
  const list = async (app: Hono, query: string) => json(await app.request(`/api/v1/sessions${query}`));
  const ids = async (app: Hono, query: string) => ((await list(app, query)).sessions as Json[]).map((s) => s.sessionId);

  it('gives every summary its status, duration, error rate and tool calls apart', async () => {
    const { app } = await seeded();
    const { sessions } = (await list(app, '')) as { sessions: Json[] };
    expect(sessions.map((s) => [s.sessionId, s.status, s.calls, s.toolCalls, s.errors, s.toolErrors, s.errorRate])).toEqual([
      ['ses_old', 'ended', 2, 1, 1, 1, 0.5], // ended now: its last update is now
      ['ses_fresh', 'active', 2, 2, 1, 1, 0.5],
      ['ses_stale', 'idle', 3, 3, 0, 0, 0],
    ]);
    expect(sessions[1]).toMatchObject({ durationMs: 910, tools: ['bash', 'read'] });
  });

  it.each([
    ['?status=active', ['ses_fresh']],
    ['?status=idle', ['ses_stale']],
    ['?status=idle,ended', ['ses_old', 'ses_stale']],
    ['?hasErrors=true', ['ses_old', 'ses_fresh']],
    ['?hasErrors=false', ['ses_stale']],
    ['?tool=grep', ['ses_old', 'ses_stale']],
    ['?search=FRE', ['ses_fresh']],
    ['?sort=calls&order=desc', ['ses_stale', 'ses_fresh', 'ses_old']],
    ['?sort=startedAt&order=asc', ['ses_old', 'ses_stale', 'ses_fresh']],
    ['?sort=durationMs', ['ses_old', 'ses_fresh', 'ses_stale']],
    ['?status=active,idle&sort=errorRate&order=desc', ['ses_fresh', 'ses_stale']],
  ])('%s', async (query, expected) => {
    const { app } = await seeded();
    expect(await ids(app, query)).toEqual(expected);
  });

  it('filters by a time range on the last update', async () => {
    const { app } = await seeded();
    const minutesAgo = (m: number) => encodeURIComponent(new Date(Date.now() - m * 60_000).toISOString());
    expect(await ids(app, `?since=${minutesAgo(5)}`)).toEqual(['ses_old', 'ses_fresh']);
    expect(await ids(app, `?until=${minutesAgo(5)}`)).toEqual(['ses_stale']);
    expect(await ids(app, `?since=${minutesAgo(30)}&until=${minutesAgo(5)}`)).toEqual(['ses_stale']);
  });

  it('pages under a sort: the cursor carries it, and pages join without gaps or repeats', async () => {
    const { app, store } = setup();
    const now = Date.now();
    for (let i = 0; i < 23; i++) {
      const calls: CallSpec[] = Array.from({ length: 1 + (i % 4) }, (_, k) => ({ tool: 'read', ms: 1 + k, ...(k === 0 && i % 3 === 0 ? { error: 'E' } : {}) }));
      await store.put(storedReport(`ses_${String(i).padStart(2, '0')}`, now - i * 1000, calls));
    }
    for (const sort of ['calls', 'errorRate', 'startedAt', 'durationMs']) {
      for (const order of ['asc', 'desc']) {
        const whole = await ids(app, `?limit=500&sort=${sort}&order=${order}`);
        const paged: unknown[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 20; pages++) {
          // Only the first request names the sort: the cursor carries it after that.
          const body = await list(app, cursor === undefined ? `?limit=4&sort=${sort}&order=${order}` : `?limit=4&cursor=${cursor}`);
          paged.push(...(body.sessions as Json[]).map((s) => s.sessionId));
          cursor = body.nextCursor as string | undefined;
          if (cursor === undefined) break;
        }
        expect(paged, `${sort} ${order}`).toEqual(whole);
        expect(new Set(paged).size).toBe(23);
      }
    }
  });

  it('refuses a cursor made for another sort, and accepts the same sort given again', async () => {
    const { app } = await seeded();
    const first = await list(app, '?limit=1&sort=calls');
    const cursor = first.nextCursor as string;
    expect((await app.request(`/api/v1/sessions?limit=1&sort=calls&order=desc&cursor=${cursor}`)).status).toBe(200);
    const response = await app.request(`/api/v1/sessions?limit=1&sort=errors&cursor=${cursor}`);
    expect(response.status).toBe(400);
    expectError(await json(response), 'invalid_request', /^cursor: made for sort=calls&order=desc, not sort=errors&order=desc/);
  });

  it.each([
    ['status=live', /^status\.0: expected active, idle, ended/],
    ['hasErrors=yes', /^hasErrors: expected true or false/],
    ['sort=name', /^sort: expected one of updatedAt, /],
    ['order=up', /^order: expected asc or desc/],
    ['since=yesterday', /^since: expected an ISO 8601 date-time/],
    ['until=12', /^until: expected an ISO 8601 date-time/],
    [`search=${'x'.repeat(300)}`, /^search: /],
    ['tool=', /^tool: /],
  ])('rejects %s with a 400 naming the parameter', async (query, message) => {
    const { app } = setup();
    const response = await app.request(`/api/v1/sessions?${query}`);
    expect(response.status).toBe(400);
    expectError(await json(response), 'invalid_request', message);
  });
});

describe('percentiles by nearest rank, in every answer', () => {
  it('11 calls: the report’s p99 and the tool trend’s p95 are the max, the p50s the 6th value, within 1%', async () => {
    const { app, store } = setup();
    // Sorted: 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 45000.
    const durations = [34, 3, 45_000, 13, 144, 5, 89, 21, 233, 8, 55];
    await store.put(storedReport('ses_11', T0, durations.map((ms) => ({ tool: 'bash', ms }))));
    const report = await json(await app.request('/api/v1/sessions/ses_11/report'));
    const bash = (report.operations as Record<string, { tools: Record<string, Json> }>)['tool-execution']!.tools.bash!;
    expect(bash.p99Ms).toBe(45_000);
    expect(bash.maxMs).toBe(45_000);
    expect(Math.abs((bash.p50Ms as number) - 34) / 34).toBeLessThanOrEqual(0.01);
    const { tools } = (await json(await app.request('/api/v1/tools'))) as { tools: Json[] };
    expect(tools[0]).toMatchObject({ toolName: 'bash', calls: 11, p95Ms: 45_000 });
    expect(Math.abs((tools[0]!.p50Ms as number) - 34) / 34).toBeLessThanOrEqual(0.01);
  });
});

describe('GET /api/v1/compare', () => {
  type Row = { toolName?: string; operationType?: string; significant: boolean; pValue: number | null; delta: { p50Ratio: number | null } | null };
  const flaggedTools = (body: Json) =>
    (body.operations as (Row & { tools: Row[] })[]).flatMap((op) => op.tools.filter((t) => t.significant).map((t) => t.toolName));

  it('flags no tool for two sessions drawn from one distribution', async () => {
    const { app, store } = setup();
    await store.put(storedReport('ses_a', T0, sessionCalls(1001, 60)));
    await store.put(storedReport('ses_b', T0 + 3_600_000, sessionCalls(1002, 60)));
    const response = await app.request('/api/v1/compare?a=ses_a&b=ses_b');
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toMatchObject({ a: { sessionId: 'ses_a', status: 'idle', calls: 300 }, b: { sessionId: 'ses_b', calls: 300 } });
    const tools = (body.operations as { tools: Row[] }[])[0]!.tools;
    expect(tools.map((t) => t.toolName).sort()).toEqual(['bash', 'edit', 'glob', 'grep', 'read']);
    for (const tool of tools) expect(tool.pValue, tool.toolName).not.toBeNull();
    expect(flaggedTools(body)).toEqual([]);
  });

  it('flags the one tool that got 3× slower over 30 calls, and only it', async () => {
    const { app, store } = setup();
    await store.put(storedReport('ses_before', T0, sessionCalls(2001, 30)));
    await store.put(storedReport('ses_after', T0 + 3_600_000, sessionCalls(2002, 30, { grep: 3 })));
    const body = await json(await app.request('/api/v1/compare?a=ses_before&b=ses_after'));
    expect(flaggedTools(body)).toEqual(['grep']);
    const grep = (body.operations as { tools: Row[] }[])[0]!.tools.find((t) => t.toolName === 'grep')!;
    expect(grep.delta?.p50Ratio).toBeGreaterThan(2);
    expect(grep.pValue).toBeLessThan(0.01);
  });

  it('answers what reports.compareSessions does, live sessions included', async () => {
    const { app, reports: api } = setup();
    for (const [sessionId, calls] of [['ses_live_a', sessionCalls(3001, 12)], ['ses_live_b', sessionCalls(3002, 12, { read: 4 })]] as const) {
      calls.forEach((spec, i) => api.record({
        sessionId, operationType: 'tool-execution', toolName: spec.tool, callId: undefined, startTimeMs: Date.now() - 60_000 + i,
        durationMs: spec.ms, errorType: spec.error, traceId: undefined, spanId: undefined,
      }));
    }
    const body = await json(await app.request('/api/v1/compare?a=ses_live_a&b=ses_live_b'));
    expect(body).toEqual(JSON.parse(JSON.stringify(await api.compareSessions({ a: 'ses_live_a', b: 'ses_live_b' }))));
    expect(body).toMatchObject({ a: { status: 'active' }, b: { status: 'active' } });
  });

  it('answers 404 naming the session that does not exist, 400 for a bad or missing id', async () => {
    const { app, store } = setup();
    await store.put(storedReport('ses_a', T0, CALLS));
    for (const [query, missing] of [['a=ses_a&b=ses_nope', 'ses_nope'], ['a=ses_gone&b=ses_a', 'ses_gone']] as const) {
      const response = await app.request(`/api/v1/compare?${query}`);
      expect(response.status).toBe(404);
      expectError(await json(response), 'not_found', new RegExp(`no session "${missing}"`));
    }
    for (const [query, parameter] of [['a=../x&b=ses_a', 'a'], ['a=ses_a', 'b']] as const) {
      const response = await app.request(`/api/v1/compare?${query}`);
      expect(response.status).toBe(400);
      expectError(await json(response), 'invalid_request', new RegExp(`^${parameter}: `));
    }
  });
});

describe('GET /api/v1/sessions/:id/report and operations', () => {
  it('answers the report the API gives', async () => {
    const { app, store, reports: api } = setup();
    await store.put(storedReport('ses_1', T0, CALLS));
    const response = await app.request('/api/v1/sessions/ses_1/report');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ ...JSON.parse(JSON.stringify(await api.getReport({ sessionId: 'ses_1' }))), status: 'idle' });
  });

  it('answers 404 for an unknown session and 400 for an invalid id', async () => {
    const { app } = setup();
    const unknown = await app.request('/api/v1/sessions/ses_nope/report');
    expect(unknown.status).toBe(404);
    expectError(await json(unknown), 'not_found', /ses_nope/);
    for (const id of ['..%2F..', '..%2f', '.hidden', 'a%20b', 'x'.repeat(129)]) {
      const response = await app.request(`/api/v1/sessions/${id}/report`);
      expect(response.status, id).toBe(400);
      expectError(await json(response), 'invalid_request', /^id: invalid session id/);
    }
  });

  it('answers operation stats, one tool with ?tool=, and 404 for an unknown operation or tool', async () => {
    const { app, store } = setup();
    await store.put(storedReport('ses_1', T0, CALLS));
    const operation = await json(await app.request('/api/v1/sessions/ses_1/operations/tool-execution'));
    expect(operation).toMatchObject({ count: 3, errors: 1, errorTypes: { ENOENT: 1 }, tools: { read: { count: 2 }, grep: { count: 1 } } });
    const tool = await json(await app.request('/api/v1/sessions/ses_1/operations/tool-execution?tool=grep'));
    expect(tool).toMatchObject({ count: 1, errors: 0, minMs: 20, maxMs: 20 });
    expect(tool).not.toHaveProperty('tools');

    const noOperation = await app.request('/api/v1/sessions/ses_1/operations/llm-call');
    expect(noOperation.status).toBe(404);
    expectError(await json(noOperation), 'not_found', /no operation type "llm-call"/);
    const noTool = await app.request('/api/v1/sessions/ses_1/operations/tool-execution?tool=bash');
    expect(noTool.status).toBe(404);
    expectError(await json(noTool), 'not_found', /no tool "bash"/);
    const noSession = await app.request('/api/v1/sessions/ses_2/operations/tool-execution');
    expect(noSession.status).toBe(404);
  });
});

describe('GET /api/v1/sessions/:id/recommendations', () => {
  it('answers the session\'s recommendations, the same as its report holds, and an empty list for a quiet session', async () => {
    const { app, reports: api } = setup();
    // bash: 90% of the tool time; read: a distinct path each time.
    for (let i = 0; i < 9; i++) api.record({ sessionId: 'ses_busy', operationType: 'tool-execution', toolName: 'bash', callId: undefined, startTimeMs: T0 + i * 2000, durationMs: 1000, errorType: undefined, traceId: undefined, spanId: undefined });
    api.record({ sessionId: 'ses_busy', operationType: 'tool-execution', toolName: 'read', callId: undefined, startTimeMs: T0 + 30_000, durationMs: 1000, errorType: undefined, traceId: undefined, spanId: undefined });
    const response = await app.request('/api/v1/sessions/ses_busy/recommendations');
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.sessionId).toBe('ses_busy');
    expect(body.recommendations).toEqual((await api.getReport({ sessionId: 'ses_busy' }))?.recommendations);
    expect(body.recommendations).toEqual([expect.objectContaining({ kind: 'dominant-tool', tool: 'bash', severity: 'warning', evidence: expect.objectContaining({ share: 0.9 }) as unknown })]);

    api.record({ sessionId: 'ses_quiet', operationType: 'tool-execution', toolName: 'read', callId: undefined, startTimeMs: T0, durationMs: 5, errorType: undefined, traceId: undefined, spanId: undefined });
    expect(await json(await app.request('/api/v1/sessions/ses_quiet/recommendations'))).toEqual({ sessionId: 'ses_quiet', recommendations: [] });
  });

  it('answers 404 for an unknown session and 400 for an invalid id', async () => {
    const { app } = setup();
    const unknown = await app.request('/api/v1/sessions/ses_nope/recommendations');
    expect(unknown.status).toBe(404);
    expectError(await json(unknown), 'not_found', /ses_nope/);
    const invalid = await app.request('/api/v1/sessions/..%2F../recommendations');
    expect(invalid.status).toBe(400);
  });
});

describe('DELETE /api/v1/sessions/:id', () => {
  it('deletes (204), then answers 404', async () => {
    const { app, store } = setup();
    await store.put(storedReport('ses_1', T0, CALLS));
    const deleted = await app.request('/api/v1/sessions/ses_1', { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(await store.get('ses_1')).toBeUndefined();
    expect((await app.request('/api/v1/sessions/ses_1', { method: 'DELETE' })).status).toBe(404);
    expect((await app.request('/api/v1/sessions/ses_1/report')).status).toBe(404);
    expect((await app.request('/api/v1/sessions/..%2Fx', { method: 'DELETE' })).status).toBe(400);
  });
});

describe('GET /api/v1/tools', () => {
  it('merges every session per tool: counts, error rate, percentiles of all calls, and the trend oldest first', async () => {
    const { app, store } = setup();
    const all = new Map<string, RunningStats>();
    for (let s = 0; s < 5; s++) {
      const calls: CallSpec[] = [];
      for (let i = 0; i < 20; i++) calls.push({ tool: 'read', ms: 1 + s * 10 + i, ...(i % 5 === 0 ? { error: s === 1 && i === 0 ? 'EACCES' : 'ENOENT' } : {}) });
      if (s % 2 === 0) calls.push({ tool: 'grep', ms: 100 + s });
      for (const call of calls) {
        let stats = all.get(call.tool);
        if (stats === undefined) all.set(call.tool, (stats = new RunningStats()));
        stats.add(call.ms, call.error);
      }
      // Stored newest first, so that the trend's order comes from startedAt, not from insertion.
      await store.put(storedReport(`ses_${4 - s}`, T0 + (4 - s) * 60_000, calls));
    }
    const body = await json(await app.request('/api/v1/tools?sessions=2'));
    const tools = body.tools as Json[];
    expect(tools.map((t) => t.toolName)).toEqual(['read', 'grep']);
    const read = all.get('read')!.toStats();
    expect(tools[0]).toMatchObject({ operationType: 'tool-execution', calls: 100, errors: 20, errorRate: 0.2, p50Ms: read.p50Ms, p95Ms: read.p95Ms, sessions: 5 });
    expect(tools[0]?.errorTypes).toEqual({ ENOENT: 19, EACCES: 1 });
    expect(tools[1]?.errorTypes).toEqual({});
    expect((tools[0]!.trend as Json[]).map((p) => p.sessionId)).toEqual(['ses_3', 'ses_4']);
    expect(tools[0]!.trend as Json[]).toEqual([
      expect.objectContaining({ calls: 20, errorRate: 0.2 }),
      expect.objectContaining({ calls: 20, errorRate: 0.2, startedAt: new Date(T0 + 4 * 60_000).toISOString() }),
    ]);
    expect(tools[1]).toMatchObject({ calls: 3, errors: 0, sessions: 3, p50Ms: all.get('grep')!.toStats().p50Ms });

    // A changed and a deleted session are reflected at the next call.
    await store.delete('ses_4');
    await store.put(storedReport('ses_0', T0, [{ tool: 'read', ms: 3 }]));
    const after = (await json(await app.request('/api/v1/tools'))).tools as Json[];
    expect(after[0]).toMatchObject({ toolName: 'read', calls: 61, sessions: 4 });
    expect((after[0]!.trend as Json[]).map((p) => p.sessionId)).toEqual(['ses_0', 'ses_1', 'ses_2', 'ses_3']);
  });

  it.each(['0', '1001', 'x'])('rejects sessions=%j', async (value) => {
    const { app } = setup();
    const response = await app.request(`/api/v1/tools?sessions=${value}`);
    expect(response.status).toBe(400);
    expectError(await json(response), 'invalid_request', /^sessions: /);
  });
});

describe('bearer token', () => {
  it('guards /api and /v1 but not /healthz', async () => {
    const { app, store } = setup({ token: 's3cret' });
    await store.put(storedReport('ses_1', T0, CALLS));
    const missing = await app.request('/api/v1/sessions');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expectError(await json(missing), 'unauthorized', /bearer token/);
    for (const header of ['Bearer s3cre', 'Bearer s3cret2', 'Basic s3cret', 's3cret']) {
      expect((await app.request('/api/v1/sessions', { headers: { authorization: header } })).status, header).toBe(401);
    }
    expect((await app.request('/api/v1/sessions', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await app.request('/v1/traces', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
    expect((await app.request('/healthz')).status).toBe(200);
  });
});

describe('POST /v1/traces input checks', () => {
  it('answers 413 for a body over the limit, with or without Content-Length', async () => {
    const { app } = setup({ maxBodyBytes: 1024 });
    const big = JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(2000) });
    const declared = await app.request('/v1/traces', { method: 'POST', body: big, headers: { 'content-type': 'application/json', 'content-length': String(big.length) } });
    expect(declared.status).toBe(413);
    const streamed = await app.request('/v1/traces', {
      method: 'POST',
      body: new Blob([big]).stream(),
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const small = await app.request('/v1/traces', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(small.status).toBe(200);
  });

  it('answers 415 for another content type or encoding, 404 without ingest', async () => {
    const { app } = setup();
    const text = await app.request('/v1/traces', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expectError(await json(text), 'unsupported_media_type', /application\/json or application\/x-protobuf/);
    const brotli = await app.request('/v1/traces', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'content-encoding': 'br' } });
    expect(brotli.status).toBe(415);
    const { reports } = memoryReports();
    opened.push(reports);
    const without = await createReportApp(reports, { ingest: false }).request('/v1/traces', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(without.status).toBe(404);
    expectError(await json(without), 'not_found', /OTLP ingest is not enabled/);
  });
});

describe('errors', () => {
  it('answers 500 internal without a stack and logs it once', async () => {
    const failing: ReportStore = {
      get: async () => {
        throw new Error('disk on fire');
      },
      put: async () => {},
      update: async () => undefined,
      list: async () => {
        throw new Error('disk on fire');
      },
      delete: async () => false,
    };
    const logger = recordingLogger();
    const reports = createReports({ store: failing, logger });
    opened.push(reports);
    const app = createReportApp(reports, { logger });
    const response = await app.request('/api/v1/sessions');
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'internal error; the server logged it' } });
    expect(text).not.toMatch(/disk on fire|at /);
    expect(logger.lines).toEqual([expect.stringMatching(/GET \/api\/v1\/sessions failed: Error: disk on fire/)]);
  });
});

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1 and documents every route', async () => {
    const { app } = setup();
    const doc = await json(await app.request('/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    const paths = doc.paths as Record<string, Record<string, unknown>>;
    const operations = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        'GET /api/v1/sessions',
        'GET /api/v1/sessions/{id}/report',
        'GET /api/v1/sessions/{id}/recommendations',
        'GET /api/v1/sessions/{id}/operations/{type}',
        'DELETE /api/v1/sessions/{id}',
        'DELETE /api/v1/sessions',
        'GET /api/v1/tools',
        'GET /api/v1/compare',
        'GET /api/v1/alerts',
        'GET /healthz',
        'GET /api/v1/ingest',
        'POST /v1/traces',
        'POST /v1/logs',
        'POST /v1/metrics',
      ].sort(),
    );
    expect(JSON.stringify(paths['/api/v1/sessions'])).toContain('"name":"limit"');
    expect((doc.components as Json).securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
  });
});

describe('dashboard', () => {
  it('is mounted at / behind the API routes', async () => {
    const dashboard = new Hono();
    dashboard.get('/', (c) => c.html('<h1>dash</h1>'));
    const { app } = setup({ dashboard });
    expect(await (await app.request('/')).text()).toBe('<h1>dash</h1>');
    expect((await app.request('/healthz')).status).toBe(200);
  });
});

describe('names from outside that are also Object.prototype keys', () => {
  it('keeps a tool named __proto__ as a tool, and answers 404 for constructor, toString and __proto__ lookups', async () => {
    const { app, reports } = setup();
    const fold = (toolName: string) =>
      reports.record({ sessionId: 'ses_proto', operationType: 'tool-execution', toolName, callId: undefined, startTimeMs: T0, durationMs: 3, errorType: undefined, traceId: undefined, spanId: undefined });
    fold('__proto__');
    fold('read');

    const report = await json(await app.request('/api/v1/sessions/ses_proto/report'));
    const tools = (report.operations as Record<string, { tools: Record<string, { count: number }> }>)['tool-execution']?.tools ?? {};
    expect(Object.keys(tools).sort()).toEqual(['__proto__', 'read']);
    expect(Object.getOwnPropertyDescriptor(tools, '__proto__')?.value).toMatchObject({ count: 1 });

    for (const path of ['/operations/constructor', '/operations/toString?tool=x', '/operations/tool-execution?tool=constructor', '/operations/tool-execution?tool=hasOwnProperty']) {
      const response = await app.request(`/api/v1/sessions/ses_proto${path}`);
      expect(response.status, path).toBe(404);
      expect((await json(response)).error).toMatchObject({ code: 'not_found' });
    }
    const proto = await app.request('/api/v1/sessions/ses_proto/operations/tool-execution?tool=__proto__');
    expect(proto.status).toBe(200);
    expect(await json(proto)).toMatchObject({ count: 1 });
  });
});

describe('without a token, only loopback hosts (against DNS rebinding)', () => {
  it('answers requests to localhost, 127.x and [::1], refuses any other Host with 403', async () => {
    const { app } = setup();
    for (const host of ['localhost:7318', '127.0.0.1:7318', '127.3.4.5', '[::1]:7318', 'LOCALHOST']) {
      expect((await app.request('/api/v1/sessions', { headers: { host } })).status, host).toBe(200);
    }
    for (const host of ['evil.example:7318', 'evil.example', '192.168.1.10:7318', '0.0.0.0:7318', '', '[::]:7318']) {
      const response = await app.request('/api/v1/sessions', { headers: { host } });
      expect(response.status, host).toBe(403);
      expect((await json(response)).error).toMatchObject({ code: 'forbidden' });
    }
    expect((await app.request('/v1/traces', { method: 'POST', headers: { host: 'evil.example', 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
  });

  it('with a token, any Host that brings the token', async () => {
    const { app } = setup({ token: 's3cret' });
    const response = await app.request('/api/v1/sessions', { headers: { host: 'reports.example.com', authorization: 'Bearer s3cret' } });
    expect(response.status).toBe(200);
    expect(() => setup({ token: '' })).toThrow(/token must not be empty/);
  });
});
