import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReports, type Reports } from '../../../src/reports/reports.js';
import { startReportServer, type RunningReportServer } from '../../../src/server/start.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import { launchChromium, readTable, watch } from '../../helpers/dashboard-browser.js';
import { findProgram, requireProgram, skipUnlessAvailable } from '../../helpers/real-component.js';
import { recordingLogger } from '../../helpers/tracking.js';

const chromiumProgram = findProgram('chromium', 'chromium');

describe.skipIf(skipUnlessAvailable(chromiumProgram))('alerts on the dashboard, in real Chromium', () => {
  let browser: Browser;
  let reports: Reports;
  let server: RunningReportServer;

  beforeAll(async () => {
    browser = await launchChromium(requireProgram(chromiumProgram));
    reports = createReports({ store: new InMemoryReportStore(), logger: recordingLogger(), alerts: { defaultRules: false, rules: [{ kind: 'slow-call', tools: 'read', thresholdMs: 100 }] } });
    server = await startReportServer({ reports, port: 0, logger: recordingLogger() });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await reports?.shutdown();
  });

  it('shows a banner of firing alerts on every view and the session\'s alerts on its page; the banner goes when they resolve', async () => {
    const call = { operationType: 'tool-execution', toolName: 'read', callId: undefined, errorType: undefined, traceId: undefined, spanId: undefined };
    reports.record({ ...call, sessionId: 'ses_quiet', startTimeMs: Date.now() - 5000, durationMs: 5 });
    reports.record({ ...call, sessionId: 'ses_slow', startTimeMs: Date.now() - 2000, durationMs: 1520 });
    const page = await browser.newPage();
    const { problems } = watch(page, server.url);
    await page.goto(`${server.url}/#/`);
    const banner = page.locator('#alert-banner');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.locator('strong').textContent()).toBe('1 firing alert');
    expect(await banner.locator('li').textContent()).toBe('slow-call:read · ses_slow · read took 1.52 s (slow-call threshold 100 ms)');

    await banner.locator('a', { hasText: 'ses_slow' }).click();
    await page.waitForURL(/#\/sessions\/ses_slow$/);
    const rows = await readTable(page, 'alerts');
    expect(rows).toMatchObject([{ Rule: 'slow-call:read', State: 'firing', Tool: 'read', Resolved: '–', Why: 'read took 1.52 s (slow-call threshold 100 ms)' }]);
    expect(await banner.isVisible()).toBe(true);

    await page.goto(`${server.url}/#/sessions/ses_quiet`);
    await page.locator('[data-card="Tool calls"]').waitFor();
    expect(await page.locator('[data-section="alerts"]').isVisible()).toBe(false);

    reports.record({ ...call, sessionId: 'ses_slow', startTimeMs: Date.now(), durationMs: 3 });
    await banner.waitFor({ state: 'hidden', timeout: 10_000 });
    expect(problems).toEqual([]);
    await page.close();
  });
});
