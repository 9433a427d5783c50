import { afterEach, describe, expect, it } from 'vitest';
import { createReportApp } from '../../../src/server/app.js';
import type { Reports } from '../../../src/reports/reports.js';
import { memoryReports, storedReport, type CallSpec } from './fixtures.js';

const DAY = 86_400_000;
const CALLS: CallSpec[] = [{ tool: 'read', ms: 3 }];
const opened: Reports[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((r) => r.shutdown()));
});

async function setup() {
  const env = memoryReports();
  opened.push(env.reports);
  for (const [id, daysAgo] of [['ses_old', 40], ['ses_new', 2]] as const) await env.store.put(storedReport(id, Date.now() - daysAgo * DAY, CALLS));
  return { ...env, app: createReportApp(env.reports, { logger: env.logger }) };
}

describe('DELETE /api/v1/sessions?olderThan=', () => {
  it('removes the sessions not updated for that long and answers which', async () => {
    const { app, store } = await setup();
    const response = await app.request('/api/v1/sessions?olderThan=30d', { method: 'DELETE' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { before: string; removed: { sessionId: string; calls: number }[] };
    expect(body.removed).toEqual([expect.objectContaining({ sessionId: 'ses_old', calls: 1 })]);
    expect(Math.abs(Date.parse(body.before) - (Date.now() - 30 * DAY))).toBeLessThan(60_000);
    expect((await store.list()).map((s) => s.sessionId)).toEqual(['ses_new']);
  });

  it('dryRun=true removes nothing', async () => {
    const { app, store } = await setup();
    const response = await app.request('/api/v1/sessions?olderThan=30d&dryRun=true', { method: 'DELETE' });
    expect(((await response.json()) as { removed: unknown[] }).removed).toHaveLength(1);
    expect(await store.list()).toHaveLength(2);
  });

  it.each([
    ['no olderThan', '/api/v1/sessions', /^olderThan: required: a whole number and a unit, e\.g\. 30d/],
    ['a number without a unit', '/api/v1/sessions?olderThan=30', /^olderThan: expected a whole number and a unit/],
    ['an empty olderThan', '/api/v1/sessions?olderThan=', /^olderThan: expected a whole number and a unit/],
    ['a dryRun that is no boolean', '/api/v1/sessions?olderThan=30d&dryRun=yes', /^dryRun: expected true or false/],
  ])('%s: 400 with one clear message, nothing removed', async (_label, url, message) => {
    const { app, store } = await setup();
    const response = await app.request(url, { method: 'DELETE' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'invalid_request', message: expect.stringMatching(message) } });
    expect(await store.list()).toHaveLength(2);
  });

  it('grants no cross-origin preflight, so no web page can send it', async () => {
    const { app } = await setup();
    const preflight = await app.request('/api/v1/sessions?olderThan=1s', {
      method: 'OPTIONS',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'DELETE' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });
});
