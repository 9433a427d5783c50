import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecentCall, SessionReport } from '../../../src/index.js';
import { launchChromium, readChart, readTable } from '../../helpers/dashboard-browser.js';
import { findProgram, requireProgram, skipUnlessAvailable } from '../../helpers/real-component.js';
import { SESSION as RECOMMENDED_SESSION, SessionCalls } from '../../helpers/session-calls.js';
import { downloadedText, JAEGER_URL, parseCsv, startShowcaseServer, type ShowcaseServer } from '../../helpers/showcase-server.js';

const chromiumProgram = findProgram('chromium', 'chromium');
const SESSION = 'ses_refactor_auth';

/** The most calls of `calls` running at one moment (a sweep over starts and ends; an end frees its lane for a start at the same time). */
function maxConcurrency(calls: readonly RecentCall[]): number {
  const events = calls.flatMap((c) => [
    [Date.parse(c.startedAt), 1],
    [Date.parse(c.startedAt) + c.durationMs, -1],
  ] as const);
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let running = 0;
  let most = 0;
  for (const [, step] of events) most = Math.max(most, (running += step));
  return most;
}

/** The page position of a chart's point: the first for which `match(call)` holds, found in the page. */
async function pointOf(page: Page, chart: string, match: { toolName: string; ok: boolean }): Promise<{ x: number; y: number }> {
  const canvas = page.locator(`canvas[data-chart="${chart}"]`);
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const at = await canvas.evaluate((element, wanted) => {
    interface Point { getCenterPoint(): { x: number; y: number } }
    interface Chart { data: { datasets: { data: { call?: { toolName: string; ok: boolean } }[] }[] }; getDatasetMeta(i: number): { data: Point[] } }
    const instance = (globalThis as unknown as { Chart: { getChart(c: unknown): Chart } }).Chart.getChart(element);
    for (const [i, dataset] of instance.data.datasets.entries()) {
      const j = dataset.data.findIndex((p) => p.call?.toolName === wanted.toolName && p.call.ok === wanted.ok);
      if (j !== -1) return instance.getDatasetMeta(i).data[j]?.getCenterPoint();
    }
    return undefined;
  }, match);
  if (box === null || at === undefined) throw new Error(`no ${JSON.stringify(match)} point on ${chart}`);
  return { x: box.x + at.x, y: box.y + at.y };
}

describe.skipIf(skipUnlessAvailable(chromiumProgram))("exploring a session's page in real Chromium", () => {
  let browser: Browser;
  let showcase: ShowcaseServer;
  let report: SessionReport;

  beforeAll(async () => {
    browser = await launchChromium(requireProgram(chromiumProgram));
    showcase = await startShowcaseServer();
    report = await showcase.api<SessionReport>(`/api/v1/sessions/${SESSION}/report`);
  });

  afterAll(async () => {
    await browser?.close();
    await showcase?.stop();
  });

  it('draws latency on a log axis when durations span orders of magnitude, and the toggle pins linear or log', async () => {
    const { page, context, problems } = await showcase.open(browser);
    try {
      await page.goto(`${showcase.url}/#/sessions/${SESSION}`);
      await readTable(page, 'tools-tool-execution');
      const tools = report.operations['tool-execution']?.tools ?? {};
      const p50s = Object.values(tools).map((s) => s.p50Ms);
      const p99s = Object.values(tools).map((s) => s.p99Ms);
      expect(Math.max(...p99s) / Math.min(...p50s), 'the fixture spans orders of magnitude').toBeGreaterThan(1000);
      const llm = report.operations['llm-call']?.tools ?? {};
      expect(Math.max(...Object.values(llm).map((s) => s.p99Ms)) / Math.min(...Object.values(llm).map((s) => s.p50Ms)), 'LLM calls do not').toBeLessThan(10);
      const scales = async () => ({
        tools: (await readChart(page, 'latency', 0)).scales.y,
        llm: (await readChart(page, 'latency', 1)).scales.y,
        timeline: (await readChart(page, 'timeline')).scales.y,
      });
      // Auto: log where the range needs it, linear where it does not.
      expect(await scales()).toEqual({ tools: 'logarithmic', llm: 'linear', timeline: 'logarithmic' });
      await page.getByRole('radio', { name: 'Linear' }).check();
      expect(await scales()).toEqual({ tools: 'linear', llm: 'linear', timeline: 'linear' });
      // The choice is kept for the next visit.
      await page.reload();
      await readTable(page, 'tools-tool-execution');
      await expect(page.getByRole('radio', { name: 'Linear' }).isChecked()).resolves.toBe(true);
      expect(await scales()).toEqual({ tools: 'linear', llm: 'linear', timeline: 'linear' });
      await page.getByRole('radio', { name: 'Log' }).check();
      expect(await scales()).toEqual({ tools: 'logarithmic', llm: 'logarithmic', timeline: 'logarithmic' });
      await page.getByRole('radio', { name: 'Auto' }).check();
      expect(await scales()).toEqual({ tools: 'logarithmic', llm: 'linear', timeline: 'logarithmic' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('colours the timeline by tool with LLM calls apart, and lays parallel calls out in lanes on the waterfall', async () => {
    const { page, context, problems } = await showcase.open(browser);
    try {
      await page.goto(`${showcase.url}/#/sessions/${SESSION}`);
      await readTable(page, 'recent-calls');
      const timeline = await readChart(page, 'timeline');
      const toolNames = Object.entries(report.operations['tool-execution']?.tools ?? {})
        .sort(([m, a], [n, b]) => b.count - a.count || (m < n ? -1 : 1))
        .map(([name]) => name);
      expect(timeline.datasets.map((d) => d.label)).toEqual([...toolNames, 'llm-call']);
      for (const dataset of timeline.datasets) {
        const operation = dataset.label === 'llm-call' ? 'llm-call' : 'tool-execution';
        expect(dataset.data.every((p) => p.call?.operationType === operation && (operation === 'llm-call' || p.call.toolName === dataset.label))).toBe(true);
      }
      expect(timeline.datasets.reduce((n, d) => n + d.data.length, 0)).toBe(report.recent.length);

      const waterfall = await readChart(page, 'waterfall');
      const start = Date.parse(report.startedAt);
      const bars = waterfall.datasets.flatMap((d) => d.data.map((p) => ({ lane: String(p.y), x: p.x as [number, number], call: p.call })));
      expect(bars).toHaveLength(report.recent.length);
      // Each bar spans its call: from its start to its end, in seconds since the session started.
      for (const bar of bars) {
        const call = report.recent.find((c) => c.callId === bar.call?.callId) as RecentCall;
        expect(bar.x[0]).toBeCloseTo((Date.parse(call.startedAt) - start) / 1000, 6);
        expect(bar.x[1] - bar.x[0]).toBeCloseTo(call.durationMs / 1000, 6);
      }
      // Tools and LLM calls in lanes of their own; LLM lanes on top.
      const tools = report.recent.filter((c) => c.operationType === 'tool-execution');
      const llms = report.recent.filter((c) => c.operationType === 'llm-call');
      expect(bars.filter((b) => b.call?.operationType === 'llm-call').every((b) => b.lane.startsWith('llm-call '))).toBe(true);
      expect(bars.filter((b) => b.call?.operationType === 'tool-execution').every((b) => b.lane.startsWith('tools '))).toBe(true);
      // No two calls of a lane overlap, and there are as many lanes as calls ever ran at once.
      for (const lane of new Set(bars.map((b) => b.lane))) {
        const spans = bars.filter((b) => b.lane === lane).map((b) => b.x).sort((p, q) => p[0] - q[0]);
        for (let i = 1; i < spans.length; i++) expect(spans[i]?.[0], lane).toBeGreaterThanOrEqual((spans[i - 1]?.[1] ?? 0) - 1e-9);
      }
      const toolLanes = maxConcurrency(tools);
      expect(toolLanes, 'the fixture runs tool calls in parallel').toBeGreaterThanOrEqual(3);
      expect(waterfall.labels).toEqual([
        ...Array.from({ length: maxConcurrency(llms) }, (_, i) => `llm-call ${i + 1}`),
        ...Array.from({ length: toolLanes }, (_, i) => `tools ${i + 1}`),
      ]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("shows a call's tool, ID, start, duration, outcome, error type and message on hover, and its trace link on click", async () => {
    const { page, context, problems } = await showcase.open(browser);
    try {
      await page.goto(`${showcase.url}/#/sessions/${SESSION}`);
      await readTable(page, 'recent-calls');
      const failed = report.recent.find((c) => c.toolName === 'Bash' && !c.ok) as RecentCall;
      expect(failed.errorMessage).toMatch(/exit code/);
      const at = await pointOf(page, 'waterfall', { toolName: 'Bash', ok: false });
      await page.mouse.move(at.x, at.y);
      // Chart.js handles pointer events on its next animation frame: wait for the tooltip.
      const tooltip = await page.waitForFunction(() => {
        interface Chart { tooltip: { body?: { lines: string[] }[] } }
        const { document: doc, Chart: charts } = globalThis as unknown as { document: { querySelector(s: string): unknown }; Chart: { getChart(c: unknown): Chart } };
        const lines = (charts.getChart(doc.querySelector('canvas[data-chart="waterfall"]')).tooltip.body ?? []).flatMap((b) => b.lines);
        return lines.length > 0 ? lines : undefined;
      });
      const lines = (await tooltip.jsonValue()) as string[];
      expect(lines[0]).toBe('Bash (tool-execution)');
      expect(lines).toContain(`call ${failed.callId}`);
      expect(lines.some((l) => l.startsWith('duration '))).toBe(true);
      expect(lines).toContain(`failed: ${failed.errorType}`);
      expect(lines.some((l) => failed.errorMessage?.startsWith(l.replace(/…$/, '')))).toBe(true);

      await page.mouse.click(at.x, at.y);
      const details = page.locator('[data-panel="call-details"]');
      await details.waitFor();
      const field = (name: string) => details.locator(`dd[data-field="${name}"]`).textContent();
      await expect(field('Tool')).resolves.toBe('Bash');
      await expect(field('Call ID')).resolves.toBe(failed.callId);
      await expect(field('Outcome')).resolves.toBe('failed');
      await expect(field('Error type')).resolves.toBe(failed.errorType);
      await expect(field('Message')).resolves.toBe(failed.errorMessage);
      await expect(details.locator('dd[data-field="Started"] time').getAttribute('datetime')).resolves.toBe(failed.startedAt);
      await expect(details.getByRole('link', { name: /Trace/ }).getAttribute('href')).resolves.toBe(`${JAEGER_URL}/trace/${failed.traceId}`);
      // The call's row in the table is marked.
      await expect(page.locator('table[data-table="recent-calls"] tr.selected').count()).resolves.toBe(1);
      await details.getByRole('button', { name: 'Close call details' }).click();
      await expect(details.isHidden()).resolves.toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("lists a session's recommendations, the largest saving first, with severity, advice and evidence", async () => {
    // bash dominates; edit is retried with the arguments that failed, again and again.
    const calls = new SessionCalls()
      .repeat(9, 'bash', 1000)
      .repeat(6, 'edit', 40, () => ({ fingerprint: 'patch', errorType: 'invalid_arguments' }))
      .repeat(3, 'read', 20, (i) => ({ fingerprint: `path${i}`, errorType: 'file_not_found' }));
    for (const call of calls.calls) showcase.reports.record(call);
    const expected = await showcase.api<{ recommendations: { kind: string; tool: string; severity: string; advice: string; evidence: Record<string, unknown> }[] }>(
      `/api/v1/sessions/${RECOMMENDED_SESSION}/recommendations`,
    );
    expect(expected.recommendations.map((r) => [r.kind, r.tool])).toEqual([['dominant-tool', 'bash'], ['error-hotspot', 'edit'], ['retry-loop', 'edit'], ['error-hotspot', 'read']]);
    const { page, context, problems } = await showcase.open(browser);
    try {
      await page.goto(`${showcase.url}/#/sessions/${RECOMMENDED_SESSION}`);
      const items = page.locator('[data-list="recommendations"] li.recommendation');
      await items.first().waitFor();
      const shown = () =>
        items.evaluateAll((elements) =>
          elements.map((e) => ({ kind: e.getAttribute('data-kind'), tool: e.getAttribute('data-tool'), severity: e.getAttribute('data-severity'), advice: e.querySelector('p')?.textContent })),
        );
      const all = expected.recommendations.map(({ kind, tool, severity, advice }) => ({ kind, tool, severity, advice }));
      // The first three, then the rest on request.
      expect(await shown()).toEqual(all.slice(0, 3));
      await page.getByRole('button', { name: 'Show 1 more' }).click();
      expect(await shown()).toEqual(all);
      await items.first().locator('summary').click();
      const evidence = await items.first().locator('dl.evidence dt').allTextContents();
      expect(evidence).toEqual(Object.keys(expected.recommendations[0]?.evidence ?? {}));
      // Another session's, on the page of that session (a line saying so when there are none).
      await page.goto(`${showcase.url}/#/sessions/${SESSION}`);
      await readTable(page, 'tools-tool-execution');
      const other = await showcase.api<{ recommendations: unknown[] }>(`/api/v1/sessions/${SESSION}/recommendations`);
      await expect(page.locator('[data-list="recommendations"] li').count()).resolves.toBe(Math.max(1, Math.min(3, other.recommendations.length)));
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists error types per tool, error messages on recent calls, and narrows the calls to the failed ones', async () => {
    const { page, context, problems } = await showcase.open(browser);
    try {
      await page.goto(`${showcase.url}/#/sessions/${SESSION}`);
      const rows = await readTable(page, 'tools-tool-execution');
      const tools = report.operations['tool-execution']?.tools ?? {};
      for (const row of rows) {
        const expected = Object.entries(tools[row.Tool as string]?.errorTypes ?? {}).sort(([, m], [, n]) => n - m).map(([type, n]) => `${type} ×${n}`).join(', ');
        expect(row['Error types'], row.Tool).toBe(expected);
      }
      expect(rows.some((r) => r['Error types'] !== '')).toBe(true);
      const errorChart = await readChart(page, 'error-rate');
      const types = new Set(Object.values(tools).flatMap((s) => Object.keys(s.errorTypes)));
      expect(new Set(errorChart.datasets.map((d) => d.label))).toEqual(types);

      const failures = report.recent.filter((c) => !c.ok).reverse();
      await page.getByLabel('Failed only').check();
      const failed = await readTable(page, 'recent-calls');
      expect(failed.map((r) => [r['Call ID'], r.Result, r['Error message']])).toEqual(failures.map((c) => [c.callId, `failed: ${c.errorType}`, c.errorMessage]));
      await expect(page.locator('[data-count="recent-calls"]').textContent()).resolves.toBe(`${failures.length} failed of ${report.recent.length}`);
      await page.getByLabel('Failed only').uncheck();
      expect(await readTable(page, 'recent-calls')).toHaveLength(report.recent.length);
      // Trace IDs link to Jaeger, as the server was told.
      const href = await page.locator('table[data-table="recent-calls"] a[data-trace]').first().getAttribute('href');
      expect(href).toBe(`${JAEGER_URL}/trace/${report.recent.at(-1)?.traceId}`);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("exports the session's tool table and recent calls as CSV and JSON with the report's values", async () => {
    const { page, context, problems } = await showcase.open(browser);
    try {
      await page.goto(`${showcase.url}/#/sessions/${SESSION}`);
      await readTable(page, 'recent-calls');
      const calls = await downloadedText(page, () => page.getByRole('button', { name: 'Recent calls CSV' }).click());
      expect(calls.name).toBe(`toolperf-${SESSION}-recent-calls.csv`);
      const callRows = parseCsv(calls.text);
      expect(callRows).toHaveLength(report.recent.length);
      expect(callRows.map((r) => [r.callId, r.toolName, Number(r.durationMs), r.ok, r.errorType, r.errorMessage, r.traceId])).toEqual(
        report.recent.map((c) => [c.callId, c.toolName, c.durationMs, String(c.ok), c.errorType ?? '', c.errorMessage ?? '', c.traceId]),
      );
      expect(report.recent.some((c) => c.errorMessage?.includes('\n')), 'a message with a line break survives the CSV').toBe(true);

      const tools = await downloadedText(page, () => page.getByRole('button', { name: 'Tools CSV' }).click());
      const toolRows = parseCsv(tools.text);
      const expected = Object.entries(report.operations).flatMap(([type, op]) => Object.entries(op.tools).map(([name, s]) => ({ type, name, s })));
      expect(toolRows.map((r) => [r.operationType, r.toolName, Number(r.count), Number(r.errors), Number(r.p50Ms), Number(r.p95Ms), Number(r.p99Ms)])).toEqual(
        expected.map(({ type, name, s }) => [type, name, s.count, s.errors, s.p50Ms, s.p95Ms, s.p99Ms]),
      );

      const json = await downloadedText(page, () => page.getByRole('button', { name: 'JSON' }).click());
      expect(json.name).toBe(`toolperf-${SESSION}.json`);
      const exported = JSON.parse(json.text) as { sessionId: string; status: string; recent: RecentCall[]; tools: { toolName: string; p95Ms: number }[] };
      expect(exported.sessionId).toBe(SESSION);
      expect(exported.status).toBe('ended');
      expect(exported.recent).toEqual(report.recent);
      expect(exported.tools.map((t) => [t.toolName, t.p95Ms])).toEqual(expected.map(({ name, s }) => [name, s.p95Ms]));
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('leaves the page alone when a poll brings nothing new: the selection and the nodes survive', async () => {
    const { page, context, problems } = await showcase.open(browser);
    try {
      let polls = 0;
      page.on('requestfinished', (request) => {
        if (request.url().endsWith(`/api/v1/sessions/${SESSION}/report`)) polls++;
      });
      await page.goto(`${showcase.url}/#/sessions/${SESSION}`);
      await readTable(page, 'recent-calls');
      const selected = await page.evaluate(() => {
        // The DOM as used here (the project's TypeScript has no DOM library).
        interface El { readonly textContent: string | null; marker?: string }
        const doc = (globalThis as unknown as { document: { querySelector(s: string): El; createRange(): { selectNodeContents(n: El): void } } }).document;
        const selection = (globalThis as unknown as { getSelection(): { removeAllRanges(): void; addRange(r: unknown): void; toString(): string } }).getSelection();
        const cell = doc.querySelector('table[data-table="tools-tool-execution"] tbody tr td:nth-child(5)');
        doc.querySelector('table[data-table="recent-calls"] tbody tr').marker = 'first';
        const range = doc.createRange();
        range.selectNodeContents(cell);
        selection.removeAllRanges();
        selection.addRange(range);
        return selection.toString();
      });
      expect(selected).not.toBe('');
      const before = polls;
      const deadline = Date.now() + 15_000;
      while (polls < before + 2 && Date.now() < deadline) await page.waitForTimeout(200);
      expect(polls, 'two polls happened').toBeGreaterThanOrEqual(before + 2);
      const after = await page.evaluate(() => {
        interface El { marker?: string; isConnected: boolean }
        const doc = (globalThis as unknown as { document: { querySelector(s: string): El } }).document;
        const row = doc.querySelector('table[data-table="recent-calls"] tbody tr');
        return { selection: (globalThis as unknown as { getSelection(): { toString(): string } }).getSelection().toString(), marker: row.marker, connected: row.isConnected };
      });
      expect(after).toEqual({ selection: selected, marker: 'first', connected: true });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('draws the newest 250 recent calls and the rest on request, or when an older call is picked', async () => {
    const t0 = Date.now() - 600_000;
    for (let i = 0; i < 300; i++) {
      showcase.reports.record({
        sessionId: 'ses_many', operationType: 'tool-execution', toolName: i === 0 ? 'slow' : 'read', callId: `c${i}`, startTimeMs: t0 + i * 1000,
        durationMs: i === 0 ? 900 : 2, errorType: undefined, traceId: undefined, spanId: undefined,
      });
    }
    const { page, context, problems } = await showcase.open(browser);
    try {
      await page.goto(`${showcase.url}/#/sessions/ses_many`);
      const rows = await readTable(page, 'recent-calls');
      expect(rows.map((r) => r['Call ID'])).toEqual(Array.from({ length: 250 }, (_, i) => `c${299 - i}`));
      const more = page.getByRole('button', { name: 'Show all 300' });
      await expect(more.isVisible()).resolves.toBe(true);
      // The oldest call, picked on the timeline, is not among the rows drawn: they all are then.
      const at = await pointOf(page, 'timeline', { toolName: 'slow', ok: true });
      await page.mouse.click(at.x, at.y);
      await page.locator('[data-panel="call-details"]').waitFor();
      await expect(page.locator('table[data-table="recent-calls"] tbody tr').count()).resolves.toBe(300);
      await expect(page.locator('table[data-table="recent-calls"] tr.selected th').textContent()).resolves.toMatch(/^0\.000 s$/);
      await expect(more.isVisible()).resolves.toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says so when a session does not exist', async () => {
    const { page, context, problems } = await showcase.open(browser);
    try {
      await page.goto(`${showcase.url}/#/sessions/ses_not_there`);
      const missing = page.locator('[data-page="missing-session"]');
      await missing.waitFor();
      await expect(missing.locator('h1').textContent()).resolves.toBe('No session ses_not_there');
      await expect(missing.getByRole('link', { name: '← All sessions' }).getAttribute('href')).resolves.toBe('#/');
      await expect(page.locator('canvas').count()).resolves.toBe(0);
      expect(problems.filter((p) => !p.startsWith('HTTP 404:') && !p.startsWith('console error: Failed to load resource'))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
