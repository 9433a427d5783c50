import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The dashboard under test in real Chromium: serving it, launching the browser, reading the page. */

/** A served app on 127.0.0.1, on a free port. */
export async function listen(app: Hono): Promise<{ url: string; server: ServerType }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({ url: `http://127.0.0.1:${info.port}`, server });
    });
  });
}

export function close(server: ServerType): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

/** Debian's Chromium, headless. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** What went wrong on a page: console errors, uncaught exceptions, failed or refused requests, requests elsewhere. */
export function watch(page: Page, origin: string): { problems: string[]; requests: string[] } {
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('request', (request) => {
    requests.push(request.url());
    if (!request.url().startsWith(`${origin}/`)) problems.push(`left ${origin}: ${request.url()}`);
  });
  return { problems, requests };
}

/** A table's body rows as objects keyed by the column headers' text (waits for a first row). */
export async function readTable(page: Page, name: string): Promise<Record<string, string>[]> {
  const table = page.locator(`table[data-table="${name}"]`);
  await table.locator('tbody tr').first().waitFor({ state: 'attached' });
  return table.evaluate((element) => {
    // The DOM as this function uses it (the project's TypeScript has no DOM library).
    interface Node { readonly textContent: string | null; readonly children: ArrayLike<Node>; querySelectorAll(selector: string): ArrayLike<Node> }
    const node = element as unknown as Node;
    const heads = Array.from(node.querySelectorAll('thead th'), (th) => (th.textContent ?? '').replace(/[↕▲▼]/g, '').trim());
    return Array.from(node.querySelectorAll('tbody tr'), (tr) =>
      Object.fromEntries(Array.from(tr.children, (cell, i) => [heads[i] || String(i), cell.textContent ?? ''])),
    );
  });
}

/** A point of a chart as the tests read it: its value(s), and the call it stands for (if any). */
export interface ChartPoint {
  readonly x?: number | [number, number];
  readonly y?: number | string | null;
  readonly value?: number | null;
  readonly call?: { readonly toolName: string; readonly callId?: string; readonly ok: boolean; readonly durationMs: number; readonly operationType: string };
}

export interface ChartView {
  readonly type: string;
  readonly labels: unknown[];
  readonly datasets: { readonly label: string; readonly data: ChartPoint[] }[];
  /** Each scale's type by its ID (`linear`, `logarithmic`, `category`). */
  readonly scales: Record<string, string>;
}

/** The data of the Chart.js chart drawn on `canvas[data-chart=name]` (the first, or the `nth`). */
export async function readChart(page: Page, name: string, nth = 0): Promise<ChartView> {
  return page.locator(`canvas[data-chart="${name}"]`).nth(nth).evaluate((canvas) => {
    type Raw = number | null | { x?: number | [number, number]; y?: number | string; call?: Record<string, unknown> };
    interface Chart {
      config: { type: string };
      data: { labels?: unknown[]; datasets: { label: string; data: Raw[] }[] };
      scales: Record<string, { type: string }>;
    }
    const chart = (globalThis as unknown as { Chart: { getChart(c: unknown): Chart | undefined } }).Chart.getChart(canvas);
    if (chart === undefined) throw new Error('no chart on this canvas');
    const pick = (call: Record<string, unknown>) => ({ toolName: call.toolName, callId: call.callId, ok: call.ok, durationMs: call.durationMs, operationType: call.operationType });
    return {
      type: chart.config.type,
      labels: [...(chart.data.labels ?? [])],
      datasets: chart.data.datasets.map((d) => ({
        label: d.label,
        data: d.data.map((p) => (p === null || typeof p === 'number' ? { value: p } : { x: p.x, y: p.y, ...(p.call ? { call: pick(p.call) } : {}) })),
      })),
      scales: Object.fromEntries(Object.entries(chart.scales).map(([id, scale]) => [id, scale.type])),
    } as never;
  });
}
