import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListedSession } from '../../../src/index.js';
import { launchChromium, readTable } from '../../helpers/dashboard-browser.js';
import { findProgram, requireProgram, skipUnlessAvailable } from '../../helpers/real-component.js';
import { startShowcaseServer, type ShowcaseServer } from '../../helpers/showcase-server.js';
import { SHOWCASE_SESSIONS, showcaseCalls } from './dashboard-showcase.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const chromiumProgram = findProgram('chromium', 'chromium');
/** Where the README's screenshots live (committed; the README shows them near its top). */
const SCREENSHOTS = join(root, 'docs');
/** A screenshot is a picture for a README, not a download: each stays under this. */
const MAX_SCREENSHOT_BYTES = 250 * 1024;

interface Comparison {
  operations: {
    operationType: string;
    significant: boolean;
    tools: { toolName: string; significant: boolean; pValue: number | null; a: { count: number } | null; b: { count: number } | null; delta: { p50Ratio: number | null } | null }[];
  }[];
}

/** The session IDs the list shows, top to bottom, once it shows `count` rows (or says none match). */
async function listed(page: Page, count: number): Promise<string[]> {
  const rows = page.locator('table[data-table="sessions"] tbody tr');
  await page.waitForFunction(
    (n) => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ querySelector(s: string): unknown }> } }).document;
      const trs = Array.from(doc.querySelectorAll('table[data-table="sessions"] tbody tr'));
      return n === 0 ? trs.length === 1 && trs[0]?.querySelector('td.empty') !== null : trs.length === n && trs.every((tr) => tr.querySelector('td.empty') === null);
    },
    count,
    { timeout: 10_000 },
  );
  return count === 0 ? [] : rows.locator('th a').allTextContents();
}

/** Newest activity first, as the list orders sessions unless told otherwise. */
function byActivity(sessions: readonly ListedSession[]): string[] {
  return [...sessions].sort((a, b) => (a.updatedAt === b.updatedAt ? (a.sessionId < b.sessionId ? -1 : 1) : a.updatedAt < b.updatedAt ? 1 : -1)).map((s) => s.sessionId);
}

describe.skipIf(skipUnlessAvailable(chromiumProgram))('the session list, comparing and the screenshots in real Chromium', () => {
  let browser: Browser;
  let showcase: ShowcaseServer;
  let all: ListedSession[];

  beforeAll(async () => {
    browser = await launchChromium(requireProgram(chromiumProgram));
    showcase = await startShowcaseServer();
    all = (await showcase.api<{ sessions: ListedSession[] }>('/api/v1/sessions?limit=100')).sessions;
    expect(all).toHaveLength(SHOWCASE_SESSIONS.length);
  });

  afterAll(async () => {
    await browser?.close();
    await showcase?.stop();
  });

  it('filters the sessions by status, agent, tool, errors, time range and ID, and keeps the filters in the address', async () => {
    const { page, context, problems } = await showcase.open(browser);
    try {
      await page.goto(`${showcase.url}/`);
      expect(await listed(page, all.length)).toEqual(byActivity(all));
      const rows = await readTable(page, 'sessions');
      expect(rows.map((r) => [r.Session, r.Status, r['Tool calls'], r['Other ops'], r.Errors])).toEqual(
        byActivity(all).map((id) => {
          const s = all.find((x) => x.sessionId === id) as ListedSession;
          return [id, s.status, String(s.toolCalls), String(s.calls - s.toolCalls), String(s.errors)];
        }),
      );
      const filter = (name: string) => page.locator(`[data-filter="${name}"]`);
      const expectList = async (wanted: readonly ListedSession[]) => expect(await listed(page, wanted.length)).toEqual(byActivity(wanted));

      await filter('status').selectOption('ended');
      await expectList(all.filter((s) => s.status === 'ended'));
      expect(page.url()).toContain('status=ended');
      await filter('status').selectOption('');

      await filter('agent').fill('claude-code');
      await expectList(all.filter((s) => s.agent?.name === 'claude-code'));
      await filter('agent').fill('');

      const withWebFetch = new Set(SHOWCASE_SESSIONS.filter((s) => showcaseCalls(s).some((c) => c.toolName === 'WebFetch')).map((s) => s.sessionId));
      await filter('tool').fill('WebFetch');
      await expectList(all.filter((s) => withWebFetch.has(s.sessionId)));
      await filter('tool').fill('');

      await filter('hasErrors').selectOption('true');
      await expectList(all.filter((s) => s.errors > 0));
      await filter('hasErrors').selectOption('false');
      await expectList(all.filter((s) => s.errors === 0));
      await filter('hasErrors').selectOption('');

      await filter('search').fill('FLAKY');
      await expectList(all.filter((s) => s.sessionId.includes('flaky')));
      // The address holds the filter: a reload shows the same list.
      await page.reload();
      await expectList(all.filter((s) => s.sessionId.includes('flaky')));
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await expectList(all);

      // A time range: sessions with a call between two times (the page's time zone is UTC).
      await filter('range').selectOption('custom');
      await filter('since').fill('2026-11-24T00:00');
      await filter('until').fill('2026-11-24T23:59');
      const from = Date.UTC(2026, 10, 24);
      const to = Date.UTC(2026, 10, 24, 23, 59);
      await expectList(all.filter((s) => Date.parse(s.updatedAt) >= from && Date.parse(s.updatedAt) <= to));
      // A preset range asks for the sessions since that long ago.
      const asked = page.waitForRequest((r) => r.url().includes('/api/v1/sessions?') && r.url().includes('since='));
      await filter('range').selectOption('1h');
      const since = Date.parse(new URL((await asked).url()).searchParams.get('since') ?? '');
      expect(Math.abs(since - (Date.UTC(2026, 10, 30, 9, 30) - 3_600_000))).toBeLessThan(60_000);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('sorts by a column on a click, and turns the order round on a second', async () => {
    const { page, context, problems } = await showcase.open(browser);
    try {
      await page.goto(`${showcase.url}/`);
      await listed(page, all.length);
      const byDuration = [...all].sort((a, b) => b.durationMs - a.durationMs || (a.sessionId < b.sessionId ? -1 : 1)).map((s) => s.sessionId);
      const header = page.locator('th:has(button[data-sort="durationMs"])');
      await header.getByRole('button').click();
      await page.waitForFunction(() => (globalThis as unknown as { location: { hash: string } }).location.hash.includes('sort=durationMs'));
      await page.waitForFunction((first) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document;
        return doc.querySelector('table[data-table="sessions"] tbody tr th a')?.textContent === first;
      }, byDuration[0]);
      expect(await listed(page, all.length)).toEqual(byDuration);
      await expect(header.getAttribute('aria-sort')).resolves.toBe('descending');
      await header.getByRole('button').click();
      await page.waitForFunction(() => (globalThis as unknown as { location: { hash: string } }).location.hash.includes('order=asc'));
      const ascending = [...all].sort((a, b) => a.durationMs - b.durationMs || (a.sessionId < b.sessionId ? -1 : 1)).map((s) => s.sessionId);
      await page.waitForFunction((first) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document;
        return doc.querySelector('table[data-table="sessions"] tbody tr th a')?.textContent === first;
      }, ascending[0]);
      expect(await listed(page, all.length)).toEqual(ascending);
      await expect(header.getAttribute('aria-sort')).resolves.toBe('ascending');
      // The error-rate column sorts too, and shows each session's rate.
      await page.locator('button[data-sort="errorRate"]').click();
      const byRate = [...all].sort((a, b) => b.errorRate - a.errorRate || (a.sessionId < b.sessionId ? -1 : 1));
      await page.waitForFunction((first) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document;
        return doc.querySelector('table[data-table="sessions"] tbody tr th a')?.textContent === first;
      }, byRate[0]?.sessionId);
      const rows = await readTable(page, 'sessions');
      expect(rows.map((r) => [r.Session, r['Error rate']])).toEqual(byRate.map((s) => [s.sessionId, `${(s.errorRate * 100).toFixed(1)}%`]));
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('compares two sessions picked in the list: per tool both sides, the change, and the rank test’s flag', async () => {
    const { page, context, problems } = await showcase.open(browser);
    try {
      await page.goto(`${showcase.url}/`);
      await listed(page, all.length);
      const compare = page.locator('[data-action="compare-selected"]');
      await expect(compare.getAttribute('aria-disabled')).resolves.toBe('true');
      await page.locator('[data-pick="ses_fix_flaky_test"]').check();
      await page.locator('[data-pick="ses_refactor_auth"]').check();
      await expect(compare.getAttribute('aria-disabled')).resolves.toBe('false');
      await compare.click();
      await page.waitForFunction(() => (globalThis as unknown as { location: { hash: string } }).location.hash.startsWith('#/compare?'));
      const hash = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
      const [a, b] = [hash.get('a') as string, hash.get('b') as string];
      expect(new Set([a, b])).toEqual(new Set(['ses_fix_flaky_test', 'ses_refactor_auth']));

      const answer = await showcase.api<Comparison>(`/api/v1/compare?a=${a}&b=${b}`);
      const tools = answer.operations.find((o) => o.operationType === 'tool-execution')?.tools ?? [];
      const rows = await readTable(page, 'compare-tool-execution');
      expect(rows[0]?.Tool).toBe('all tool calls');
      expect(rows.slice(1).map((r) => r.Tool)).toEqual(tools.map((t) => t.toolName));
      for (const [i, tool] of tools.entries()) {
        const row = rows[i + 1] as Record<string, string>;
        expect(row['Calls A / B'], tool.toolName).toBe(`${tool.a?.count ?? 0} / ${tool.b?.count ?? 0}`);
        const flag = tool.pValue === null ? 'too few calls' : !tool.significant ? 'no significant change' : (tool.delta?.p50Ratio ?? 1) > 1 ? 'slower ▲' : 'faster ▼';
        expect(row.Significance, tool.toolName).toBe(flag);
      }
      // The showcase's B runs Bash three times slower: flagged, and noise elsewhere is not.
      if (a === 'ses_fix_flaky_test') expect(rows.find((r) => r.Tool === 'Bash')?.Significance).toBe('slower ▲');
      expect(tools.filter((t) => t.significant).map((t) => t.toolName)).toEqual(['Bash']);
      expect(rows.find((r) => r.Tool === 'Bash')?.p50).toMatch(/→.*(×|\+)/);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('saves the screenshots the README shows, light and dark (prefers-color-scheme)', async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    const shots: string[] = [];
    const light = await showcase.open(browser, { height: 760 });
    try {
      await light.page.goto(`${showcase.url}/#/sessions/ses_refactor_auth`);
      await readTable(light.page, 'recent-calls');
      shots.push(join(SCREENSHOTS, 'dashboard-session.png'));
      await light.page.screenshot({ path: shots.at(-1) });

      await light.page.goto(`${showcase.url}/#/compare?a=ses_fix_flaky_test&b=ses_refactor_auth`);
      await readTable(light.page, 'compare-tool-execution');
      shots.push(join(SCREENSHOTS, 'dashboard-compare.png'));
      await light.page.screenshot({ path: shots.at(-1) });

      await light.page.goto(`${showcase.url}/#/`);
      await listed(light.page, all.length);
      await light.page.locator('[data-pick="ses_fix_flaky_test"]').check();
      await light.page.locator('[data-pick="ses_refactor_auth"]').check();
      shots.push(join(SCREENSHOTS, 'dashboard-sessions.png'));
      await light.page.screenshot({ path: shots.at(-1), clip: { x: 0, y: 0, width: 1280, height: 408 } });
      expect(light.problems).toEqual([]);
    } finally {
      await light.context.close();
    }

    const dark = await showcase.open(browser, { colorScheme: 'dark', height: 900 });
    try {
      await dark.page.goto(`${showcase.url}/#/sessions/ses_refactor_auth`);
      await readTable(dark.page, 'recent-calls');
      const scheme = await dark.page.evaluate(() => {
        const css = (globalThis as unknown as { getComputedStyle(e: unknown): { getPropertyValue(n: string): string }; document: { documentElement: unknown } });
        return { bg: css.getComputedStyle(css.document.documentElement).getPropertyValue('--bg').trim(), chartText: (globalThis as unknown as { Chart: { defaults: { color: string } } }).Chart.defaults.color };
      });
      expect(scheme).toEqual({ bg: '#0d1117', chartText: '#9aa4b0' });
      // The waterfall and the timeline, with a failed call's details open.
      const row = dark.page.locator('table[data-table="recent-calls"] tr.call-row.failed', { hasText: 'Bash' }).first();
      await row.click();
      await dark.page.locator('[data-panel="call-details"]').waitFor();
      // From the waterfall's top to the details' bottom, in page coordinates.
      const span = await dark.page.evaluate(() => {
        interface Box { getBoundingClientRect(): { top: number; bottom: number } }
        const doc = (globalThis as unknown as { document: { querySelector(s: string): Box }; scrollY: number });
        const top = doc.document.querySelector('section[aria-labelledby="waterfall-heading"]').getBoundingClientRect().top;
        const bottom = doc.document.querySelector('[data-panel="call-details"]').getBoundingClientRect().bottom;
        return { top: top + doc.scrollY, bottom: bottom + doc.scrollY };
      });
      // Scrolled back to the top, so the sticky header stays out of the picture.
      await dark.page.mouse.move(0, 0);
      await dark.page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
      shots.push(join(SCREENSHOTS, 'dashboard-waterfall-dark.png'));
      await dark.page.screenshot({ path: shots.at(-1), fullPage: true, clip: { x: 0, y: span.top - 12, width: 1280, height: span.bottom - span.top + 24 } });
      expect(dark.problems).toEqual([]);
    } finally {
      await dark.context.close();
    }
    for (const shot of shots) {
      const { size } = await stat(shot);
      expect(size, shot).toBeGreaterThan(10_000);
      expect(size, shot).toBeLessThan(MAX_SCREENSHOT_BYTES);
    }
  });
});
