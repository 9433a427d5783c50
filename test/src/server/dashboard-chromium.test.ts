import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerformance, createReports, InMemoryReportStore, type DurationStats, type Performance, type SessionReport } from '../../../src/index.js';
import { createDashboardApp } from '../../../src/server/dashboard.js';
import { createReportApp } from '../../../src/server/app.js';
import { close, launchChromium, listen, readChart, readTable, watch } from '../../helpers/dashboard-browser.js';
import { prng } from '../../helpers/prng.js';
import { findProgram, requireProgram, skipUnlessAvailable } from '../../helpers/real-component.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const chromiumProgram = findProgram('chromium', 'chromium');
const TOKEN = 'dashboard-test-token';

interface Call {
  readonly session: string;
  readonly ms: number;
  readonly fail?: boolean;
}

class ToolTimeout extends Error {
  override readonly name = 'ToolTimeout';
}

/** "12.3 ms" or "1.23 s" in milliseconds. */
function parseMs(text: string): number {
  const match = /^([\d.]+) (ms|s)$/.exec(text);
  if (match === null) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

/** The page shows about three significant digits. */
function expectShownAs(text: string, ms: number): void {
  expect(Math.abs(parseMs(text) - ms), `${text} vs ${ms} ms`).toBeLessThanOrEqual(Math.max(ms * 0.005, 0.0005) + 1e-9);
}

function percent(stats: DurationStats): string {
  return `${((stats.errors / stats.count) * 100).toFixed(1)}%`;
}

describe.skipIf(skipUnlessAvailable(chromiumProgram))('the dashboard in real Chromium', () => {
  let dataDir: string;
  let perf: Performance;
  let tools: { read: (call: Call) => Promise<string>; grep: (call: Call) => Promise<string[]>; bash: (call: Call) => Promise<number> };
  let browser: Browser;
  let open: { url: string; server: ServerType };
  let guarded: { url: string; server: ServerType };

  async function run(tool: keyof typeof tools, session: string, durations: number[], failAt: number[] = []): Promise<void> {
    for (const [i, ms] of durations.entries()) {
      await tools[tool]({ session, ms, fail: failAt.includes(i) }).catch((error: unknown) => {
        if (!(error instanceof ToolTimeout)) throw error;
      });
    }
  }

  async function report(sessionId: string): Promise<SessionReport> {
    const found = await perf.api.getReport({ sessionId });
    if (found === undefined) throw new Error(`no report for ${sessionId}`);
    return found;
  }

  beforeAll(async () => {
    const executablePath = requireProgram(chromiumProgram);
    dataDir = await mkdtemp(join(tmpdir(), 'toolperf-dashboard-'));
    perf = createPerformance({ enabled: true, dataDir, handleProcessExit: false, env: {} });
    const work = async (call: Call) => {
      await sleep(call.ms);
      if (call.fail) throw new ToolTimeout(`timed out after ${call.ms} ms`);
    };
    tools = perf.wrapTools(
      {
        read: async (call: Call) => (await work(call), 'contents'),
        grep: async (call: Call) => (await work(call), ['match']),
        bash: async (call: Call) => (await work(call), 0),
      },
      { sessionId: (call) => (call as Call).session },
    );
    // Three sessions, oldest first: two ended, one still running.
    await run('read', 'ses_alpha', [2, 3, 5, 8, 4, 3], [2]);
    await run('grep', 'ses_alpha', [1, 2, 6]);
    await perf.endSession('ses_alpha');
    // Enough calls, with a tail, that p50, p90, p95 and p99 differ: a chart showing the wrong one fails.
    const next = prng(4);
    await run('read', 'ses_beta', Array.from({ length: 40 }, () => Math.round(1 + 6 * -Math.log(1 - next() * 0.99))), [7, 31]);
    await run('bash', 'ses_beta', [20, 30, 15, 25], [1]);
    await run('grep', 'ses_beta', [3, 1, 2, 4, 2], [0, 4]);
    await perf.endSession('ses_beta');
    await run('read', 'ses_live', [3, 2, 7]);
    await run('grep', 'ses_live', [2, 2], [1]);
    // The tools view reads stored reports (live sessions as of their last write): write ses_live now
    // rather than racing the 1 s debounce against the browser's start.
    await perf.flush();

    open = await listen(createReportApp(perf.api, { dashboard: createDashboardApp() }));
    guarded = await listen(createReportApp(perf.api, { dashboard: createDashboardApp(), token: TOKEN }));
    browser = await launchChromium(executablePath);
  });

  afterAll(async () => {
    await browser?.close();
    if (open) await close(open.server);
    if (guarded) await close(guarded.server);
    await perf?.shutdown();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function newPage(): Promise<{ page: Page; problems: string[]; requests: string[]; done: () => Promise<void> }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    return { page, ...watch(page, new URL(open.url).origin), done: () => context.close() };
  }

  it('lists the sessions newest first, with their status and counts, from local assets only', async () => {
    const { page, problems, requests, done } = await newPage();
    try {
      await page.goto(`${open.url}/`);
      const rows = await readTable(page, 'sessions');
      const summaries = await perf.api.listSessions();
      expect(rows.map((r) => r.Session)).toEqual(['ses_live', 'ses_beta', 'ses_alpha']);
      expect(rows.map((r) => [r.Status, r['Tool calls'], r['Other ops'], r.Errors])).toEqual(
        summaries.map((s) => [s.status, String(s.toolCalls), String(s.calls - s.toolCalls), String(s.errors)]),
      );
      expect(rows.map((r) => r.Status)).toEqual(['active', 'ended', 'ended']);
      const toolRows = await readTable(page, 'tools');
      expect(toolRows.map((r) => [r.Tool, r.Calls, r.Sessions])).toEqual([['read', '49', '3'], ['grep', '10', '3'], ['bash', '4', '1']]);
      expect(requests.some((url) => url.endsWith('/assets/chart.umd.js'))).toBe(true);
      await mkdir(join(root, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(root, 'test-artifacts', 'dashboard-sessions.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await done();
    }
  });

  it('shows a session whose last call is older than the idle threshold as idle, not active, in the list and on its page', async () => {
    const reports = createReports({ store: new InMemoryReportStore(), idleAfterMs: 60_000 });
    const now = Date.now();
    const call = (sessionId: string, startTimeMs: number) => ({
      sessionId, operationType: 'tool-execution', toolName: 'read', callId: undefined, startTimeMs, durationMs: 5, errorType: undefined, traceId: undefined, spanId: undefined,
    });
    reports.record(call('ses_stale', now - 61_000)); // ended 61 s − 5 ms ago: past the 60 s threshold
    reports.record(call('ses_fresh', now - 30_000));
    const served = await listen(createReportApp(reports, { dashboard: createDashboardApp() }));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const { problems } = watch(page, new URL(served.url).origin);
    try {
      await page.goto(`${served.url}/`);
      const rows = await readTable(page, 'sessions');
      expect(rows.map((r) => [r.Session, r.Status])).toEqual([['ses_fresh', 'active'], ['ses_stale', 'idle']]);
      await page.getByRole('link', { name: 'ses_stale' }).click();
      await expect(page.locator('.title-row [data-status]').textContent()).resolves.toBe('idle');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await close(served.server);
      await reports.shutdown();
    }
  });

  it('pages through the sessions', async () => {
    const { page, problems, done } = await newPage();
    try {
      await page.goto(`${open.url}/#/?limit=2`);
      expect((await readTable(page, 'sessions')).map((r) => r.Session)).toEqual(['ses_live', 'ses_beta']);
      await page.getByRole('link', { name: 'Next page →' }).click();
      await page.locator('table[data-table="sessions"] tbody tr', { hasText: 'ses_alpha' }).waitFor();
      expect((await readTable(page, 'sessions')).map((r) => r.Session)).toEqual(['ses_alpha']);
      await expect(page.getByRole('link', { name: 'Next page →' }).count()).resolves.toBe(0);
      await page.getByRole('link', { name: '← First page' }).click();
      await page.locator('table[data-table="sessions"] tbody tr', { hasText: 'ses_live' }).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await done();
    }
  });

  it("shows a session's per-tool latency, error rates and recent calls with the report's numbers", async () => {
    const { page, problems, done } = await newPage();
    try {
      await page.goto(`${open.url}/`);
      await page.getByRole('link', { name: 'ses_beta' }).click();
      const rows = await readTable(page, 'tools-tool-execution');
      const beta = await report('ses_beta');
      const stats = beta.operations['tool-execution']?.tools ?? {};
      const names = Object.keys(stats).sort((a, b) => (stats[b]?.count ?? 0) - (stats[a]?.count ?? 0));
      expect(rows.map((r) => r.Tool)).toEqual(names);
      for (const row of rows) {
        const s = stats[row.Tool as string] as DurationStats;
        expect([row.Calls, row.Errors, row['Error rate']], row.Tool).toEqual([String(s.count), String(s.errors), percent(s)]);
        expectShownAs(row.p50 as string, s.p50Ms);
        expectShownAs(row.p95 as string, s.p95Ms);
        expectShownAs(row.p99 as string, s.p99Ms);
      }
      // The charts hold the report's exact numbers.
      const latency = await readChart(page, 'latency');
      expect(latency.labels).toEqual(names);
      expect(latency.datasets.map((d) => d.label)).toEqual(['p50', 'p95', 'p99']);
      expect(latency.datasets.map((d) => d.data.map((p) => p.value))).toEqual([
        names.map((n) => stats[n]?.p50Ms),
        names.map((n) => stats[n]?.p95Ms),
        names.map((n) => stats[n]?.p99Ms),
      ]);
      const read = stats.read as DurationStats;
      expect(new Set([read.p50Ms, read.p90Ms, read.p95Ms, read.p99Ms]).size, 'percentiles of the fixture differ').toBe(4);
      // Error rates split by error type (one type here): the stack of each tool is its error rate.
      const errors = await readChart(page, 'error-rate');
      expect(errors.datasets.map((d) => d.label)).toEqual(['ToolTimeout']);
      expect(names.map((_, i) => errors.datasets.reduce((sum, d) => sum + (d.data[i]?.value ?? 0), 0))).toEqual(
        names.map((n) => Math.round(((stats[n]?.errors ?? 0) / (stats[n]?.count ?? 1)) * 10_000) / 100),
      );
      // The timeline: one series per tool, every recent call once, the failed ones as failed.
      const timeline = await readChart(page, 'timeline');
      expect(timeline.datasets.map((d) => d.label)).toEqual(names);
      const points = timeline.datasets.flatMap((d) => d.data.map((p) => ({ tool: d.label, ...p })));
      expect(points).toHaveLength(beta.recent.length);
      for (const p of points) expect(p.call?.toolName).toBe(p.tool);
      expect(points.filter((p) => p.call?.ok === false).map((p) => p.y).sort()).toEqual(beta.recent.filter((c) => !c.ok).map((c) => c.durationMs).sort());
      expect(points.filter((p) => p.call?.ok === false)).toHaveLength(5);
      const recent = await readTable(page, 'recent-calls');
      expect(recent).toHaveLength(beta.recent.length);
      expect(recent.filter((r) => r.Result === 'failed: ToolTimeout')).toHaveLength(5);

      await page.screenshot({ path: join(root, 'test-artifacts', 'dashboard.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await done();
    }
  });

  it("shows a tool's trend with one point per session, oldest first", async () => {
    const { page, problems, done } = await newPage();
    try {
      await page.goto(`${open.url}/#/tools/read`);
      const rows = await readTable(page, 'trend-tool-execution');
      const sessions = ['ses_alpha', 'ses_beta', 'ses_live'];
      expect(rows.map((r) => r.Session)).toEqual(sessions);
      const reads = await Promise.all(sessions.map(async (id) => (await report(id)).operations['tool-execution']?.tools.read as DurationStats));
      expect(rows.map((r) => [r.Calls, r['Error rate']])).toEqual(reads.map((s) => [String(s.count), percent(s)]));
      // On a time axis: each session at its start.
      const chart = await readChart(page, 'trend');
      const starts = await Promise.all(sessions.map(async (id) => Date.parse((await report(id)).startedAt)));
      for (const dataset of chart.datasets) expect(dataset.data.map((p) => p.x)).toEqual(starts);
      expect(chart.datasets.map((d) => d.data.map((p) => p.y))).toEqual([
        reads.map((s) => s.p50Ms),
        reads.map((s) => s.p95Ms),
        reads.map((s) => Math.round((s.errors / s.count) * 10_000) / 100),
      ]);
      // Failures by error type, across the sessions.
      const breakdown = await readTable(page, 'error-types-tool-execution');
      expect(breakdown.map((r) => [r['Error type'], r['Failed calls']])).toEqual([['ToolTimeout', String(reads.reduce((n, s) => n + s.errors, 0))]]);
      await page.screenshot({ path: join(root, 'test-artifacts', 'dashboard-tool.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await done();
    }
  });

  it('updates a running session in place as calls arrive', async () => {
    const { page, problems, done } = await newPage();
    try {
      await page.goto(`${open.url}/#/sessions/ses_live`);
      const before = await readTable(page, 'tools-tool-execution');
      expect(before.find((r) => r.Tool === 'read')?.Calls).toBe('3');
      await page.locator('canvas[data-chart="latency"]').evaluate((canvas) => {
        (canvas as unknown as { dataset: Record<string, string> }).dataset.marker = 'first';
      });

      await run('read', 'ses_live', [9, 11, 10, 30], [3]);
      await run('bash', 'ses_live', [5]);
      await page.waitForFunction(
        () => Array.from(
          (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } })
            .document.querySelectorAll('table[data-table="tools-tool-execution"] tbody th'),
          (th) => th.textContent,
        ).join(',') === 'read,grep,bash',
        undefined,
        { timeout: 20_000 },
      );
      const live = (await report('ses_live')).operations['tool-execution']?.tools ?? {};
      const rows = await readTable(page, 'tools-tool-execution');
      expect(rows.find((r) => r.Tool === 'read')?.Calls).toBe('7');
      expect(rows.find((r) => r.Tool === 'read')?.Errors).toBe('1');
      const latency = await readChart(page, 'latency');
      expect(latency.labels).toEqual(['read', 'grep', 'bash']);
      expect(latency.datasets[1]?.data.map((p) => p.value)).toEqual(['read', 'grep', 'bash'].map((n) => live[n]?.p95Ms));
      // Updated, not redrawn: the same canvas as before.
      await expect(page.locator('canvas[data-chart="latency"][data-marker="first"]').count()).resolves.toBe(1);
      expect(problems).toEqual([]);
    } finally {
      await done();
    }
  });

  it('sends the token it was opened with, keeps it for the tab and takes it out of the address', async () => {
    const { page, done } = await newPage();
    try {
      const authorizations: (string | undefined)[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/api/')) authorizations.push(request.headers().authorization);
      });
      await page.goto(`${guarded.url}/`);
      await page.getByRole('status').filter({ hasText: 'needs a token' }).waitFor();

      await page.goto(`${guarded.url}/?token=${TOKEN}#/`);
      expect((await readTable(page, 'sessions')).map((r) => r.Session)).toEqual(['ses_live', 'ses_beta', 'ses_alpha']);
      expect(page.url()).toBe(`${guarded.url}/#/`);
      await page.goto(`${guarded.url}/#/sessions/ses_beta`);
      await readTable(page, 'tools-tool-execution');
      expect(authorizations[0]).toBeUndefined();
      expect(authorizations.slice(-3)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
      expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length)).toBe(1);
    } finally {
      await done();
    }
  });
});
