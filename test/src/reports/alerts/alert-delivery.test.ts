import { afterEach, describe, expect, it } from 'vitest';
import { createPerformance, type Performance, type PerformanceOptions } from '../../../../src/performance.js';
import type { ListedAlert } from '../../../../src/reports/alerts/alert-text.js';
import { recordingLogger } from '../../../helpers/tracking.js';
import { deadUrl, startWebhookReceiver } from '../../../helpers/webhook-receiver.js';

const started: Performance[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.shutdown()));
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

function tracker(options: PerformanceOptions) {
  const logger = recordingLogger();
  const perf = createPerformance({ enabled: true, saveReports: false, handleProcessExit: false, env: {}, logger, writeIntervalMs: 50, ...options });
  started.push(perf);
  return { perf, logger };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (ok(value)) return value;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('hung-call alerts', () => {
  it('fire while the call still runs (startCall), and resolve when it ends', async () => {
    const { perf } = tracker({ alerts: { defaultRules: false, rules: [{ kind: 'hung-call', tools: 'bash', thresholdMs: 150 }] } });
    const fast = perf.startCall('bash', { sessionId: 'ses_hung' });
    fast.succeed();
    const call = perf.startCall('bash', { sessionId: 'ses_hung', callId: 'call_7' });
    const firing = await until(() => perf.reports.listAlerts({ state: 'firing' }), (a) => a.length > 0, 'a hung-call alert');
    expect(call.ended).toBe(false); // alerted before it ended
    expect(firing).toMatchObject([{ kind: 'hung-call', rule: 'hung-call:bash', sessionId: 'ses_hung', toolName: 'bash', evidence: { thresholdMs: 150, callId: 'call_7' } }]);
    expect(firing[0]?.evidence.runningMs).toBeGreaterThanOrEqual(150);
    call.succeed();
    const [resolved] = await until(() => perf.reports.listAlerts(), (a) => a[0]?.state === 'resolved', 'the alert to resolve');
    expect(resolved?.evidence.endedAfterMs).toBeGreaterThanOrEqual(150);
  });

  it('fire for a wrapped tool that has not returned yet', async () => {
    const { perf } = tracker({ alerts: { defaultRules: false, rules: [{ kind: 'hung-call', thresholdMs: 100 }] } });
    let release: () => void = () => {};
    const stuck = perf.wrapTool(() => new Promise<string>((resolve) => (release = () => resolve('done'))), { name: 'fetch_page', sessionId: 'ses_w' });
    let returned = false;
    const result = stuck().then((value) => ((returned = true), value));
    await until(() => perf.reports.listAlerts({ state: 'firing', toolName: 'fetch_page' }), (a) => a.length === 1, 'a hung-call alert');
    expect(returned).toBe(false);
    release();
    expect(await result).toBe('done');
  });
});

describe('the webhook', () => {
  it('receives a slow-call alert as JSON with the configured headers: Slack text and the structured alert', async () => {
    const receiver = await startWebhookReceiver();
    cleanups.push(receiver.close);
    const seen: ListedAlert[] = [];
    const { perf } = tracker({
      alerts: { defaultRules: false, rules: [{ kind: 'slow-call', tools: 'read', thresholdMs: 20 }], webhook: { url: receiver.url, headers: { authorization: 'Bearer t0k' } } },
      onAlert: (alert) => void seen.push(alert),
    });
    const read = perf.wrapTool(async () => sleep(40), { name: 'read', sessionId: 'ses_web' });
    await read();
    await receiver.received(1);
    const [post] = receiver.posts;
    expect(post?.headers.authorization).toBe('Bearer t0k');
    expect(post?.headers['content-type']).toBe('application/json');
    const body = post?.body as { text: string; alert: ListedAlert };
    expect(body.text).toMatch(/^:rotating_light: toolperf alert slow-call:read firing: read took \d+(\.\d+)? ms \(slow-call threshold 20 ms\) \(tool read, session ses_web\)$/);
    expect(body.alert).toMatchObject({ rule: 'slow-call:read', sessionId: 'ses_web', toolName: 'read', state: 'firing' });
    expect(body.alert.evidence.durationMs).toBeGreaterThan(20); // the 40 ms sleep, as the span measured it
    expect(seen).toHaveLength(1);
  });

  it('that hangs never holds a call up, and the alert is in the API meanwhile', async () => {
    const receiver = await startWebhookReceiver('hang');
    cleanups.push(receiver.close);
    const { perf } = tracker({ alerts: { defaultRules: false, rules: [{ kind: 'slow-call', tools: 'read', thresholdMs: 20 }], webhook: { url: receiver.url, timeoutMs: 60_000 } } });
    const read = perf.wrapTool(async (ms: number) => sleep(ms), { name: 'read', sessionId: 'ses_hang' });
    await read(40);
    await receiver.received(1);
    // The POST is held open by the receiver; calls go on and return all the same (and resolve the alert).
    for (let i = 0; i < 20; i++) await read(0);
    expect(receiver.hanging).toBe(1);
    expect(await perf.reports.listAlerts({ sessionId: 'ses_hang' })).toMatchObject([{ toolName: 'read', fired: 1, state: 'resolved' }]);
    // Its resolution waits behind the hanging POST: one at a time, in order.
    expect(receiver.posts).toHaveLength(1);
  });

  it('that is down costs the calls nothing; the failure is logged once and the alert stays in the API', async () => {
    const url = await deadUrl();
    const { perf, logger } = tracker({
      alerts: { defaultRules: false, rules: [{ kind: 'slow-call', thresholdMs: 20 }], cooldownMs: 0, webhook: { url, maxRetries: 1 } },
    });
    const tool = perf.wrapTool(async (ms: number) => sleep(ms), { name: 'read', sessionId: 'ses_down' });
    const other = perf.wrapTool(async (ms: number) => sleep(ms), { name: 'grep', sessionId: 'ses_down' });
    await tool(30);
    await other(30);
    expect(await perf.reports.listAlerts({ state: 'firing' })).toHaveLength(2);
    await until(async () => logger.lines.filter((l) => l.includes('could not deliver an alert to the webhook')).length, (n) => n >= 1, 'the failure to be logged');
    await sleep(2500); // the second alert's tries (1 s backoff) fail too: still one line
    expect(logger.lines.filter((l) => l.includes('could not deliver an alert to the webhook'))).toHaveLength(1);
    expect(await perf.reports.listAlerts({ state: 'firing' })).toHaveLength(2);
  });
});
