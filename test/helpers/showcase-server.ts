import { readFile } from 'node:fs/promises';
import type { ServerType } from '@hono/node-server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createReports, type Reports } from '../../src/reports/reports.js';
import { InMemoryReportStore } from '../../src/storage/memory-store.js';
import { createReportApp } from '../../src/server/app.js';
import { createDashboardApp } from '../../src/server/dashboard.js';
import { recordShowcase, showcaseClock } from '../src/server/dashboard-showcase.js';
import { close, listen, watch } from './dashboard-browser.js';
import { recordingLogger } from './tracking.js';

export const JAEGER_URL = 'http://jaeger.test:16686';

/** The showcase sessions served with the dashboard (and a Jaeger URL), for the explore tests. */
export interface ShowcaseServer {
  readonly url: string;
  readonly reports: Reports;
  /** A page at a fixed time, locale and time zone (the same screenshots every run); `problems` as `watch` finds them. */
  open(browser: Browser, options?: { colorScheme?: 'light' | 'dark'; height?: number }): Promise<{ page: Page; context: BrowserContext; problems: string[]; requests: string[] }>;
  /** The API's answer to `path`, parsed. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/** The page's clock: a Monday morning after the showcase week, so "Updated ..." reads the same each run. */
const PAGE_TIME = Date.UTC(2026, 10, 30, 9, 30, 0);

export async function startShowcaseServer(): Promise<ShowcaseServer> {
  const clock = showcaseClock();
  const reports = createReports({ store: new InMemoryReportStore(), now: () => clock.now(), logger: recordingLogger(), writeIntervalMs: 60_000 });
  await recordShowcase(reports, clock);
  const served: { url: string; server: ServerType } = await listen(createReportApp(reports, { dashboard: createDashboardApp({ jaegerUrl: JAEGER_URL }) }));
  return {
    url: served.url,
    reports,
    async open(browser, options = {}) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: options.height ?? 900 },
        colorScheme: options.colorScheme ?? 'light',
        locale: 'en-GB',
        timezoneId: 'UTC',
        acceptDownloads: true,
      });
      const page = await context.newPage();
      await page.clock.setFixedTime(PAGE_TIME);
      return { page, context, ...watch(page, served.url) };
    },
    async api<T>(path: string) {
      return (await (await fetch(`${served.url}${path}`)).json()) as T;
    },
    async stop() {
      await close(served.server);
      await reports.shutdown();
    },
  };
}

/** A downloaded file's text. */
export async function downloadedText(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') };
}

/** RFC 4180 CSV (quoted fields with doubled quotes, line breaks inside quotes) as rows of objects by the header. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const [header = [], ...body] = rows;
  return body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
}
