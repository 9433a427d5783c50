import { afterEach, describe, expect, it } from 'vitest';
import { AlertWebhook } from '../../../../src/reports/alerts/alert-webhook.js';
import type { ListedAlert } from '../../../../src/reports/alerts/alert-text.js';
import { recordingLogger } from '../../../helpers/tracking.js';
import { startWebhookReceiver } from '../../../helpers/webhook-receiver.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const alert = (toolName: string): ListedAlert => ({
  sessionId: 'ses_1', rule: 'slow-call:*', kind: 'slow-call', operationType: 'tool-execution', toolName, state: 'firing',
  firedAt: '2026-01-01T00:00:00.000Z', changedAt: '2026-01-01T00:00:00.000Z', fired: 1, suppressed: 0, message: `${toolName} took 2 s`, evidence: { durationMs: 2000 },
});

describe('AlertWebhook', () => {
  it('retries a 5xx with backoff until it is taken, and keeps the order of the alerts', async () => {
    const receiver = await startWebhookReceiver(503);
    cleanups.push(receiver.close);
    const logger = recordingLogger();
    const webhook = new AlertWebhook({ url: receiver.url, headers: {}, timeoutMs: 2000, maxRetries: 5, maxQueue: 10, retryBaseMs: 20 }, logger);
    webhook.send(alert('read'));
    webhook.send(alert('grep'));
    await receiver.received(2);
    receiver.mode = 'ok';
    await receiver.received(4);
    await webhook.close(2000);
    const tools = receiver.posts.map((p) => (p.body as { alert: ListedAlert }).alert.toolName);
    // read was tried until taken, then grep: never grep before read.
    expect(tools.slice(0, tools.lastIndexOf('read') + 1).every((t) => t === 'read')).toBe(true);
    expect(tools.at(-1)).toBe('grep');
    expect(webhook.delivered).toBe(2);
    expect(webhook.dropped).toBe(0);
    expect(logger.lines).toEqual([]);
  });

  it('gives up on a 4xx at once, drops past its queue, and says each once', async () => {
    const receiver = await startWebhookReceiver(404);
    cleanups.push(receiver.close);
    const logger = recordingLogger();
    const webhook = new AlertWebhook({ url: receiver.url, headers: {}, timeoutMs: 2000, maxRetries: 5, maxQueue: 2, retryBaseMs: 20 }, logger);
    for (const tool of ['a', 'b', 'c', 'd']) webhook.send(alert(tool));
    await webhook.close(2000);
    expect(receiver.posts.map((p) => (p.body as { alert: ListedAlert }).alert.toolName)).toEqual(['a', 'b']);
    expect(webhook.dropped).toBe(4); // c and d past the queue, a and b refused
    expect(logger.lines.filter((l) => l.includes('queue is full'))).toHaveLength(1);
    expect(logger.lines.filter((l) => l.includes('could not deliver an alert to the webhook at http://127.0.0.1:') && l.includes('HTTP 404'))).toHaveLength(1);
    expect(logger.lines.join('\n')).not.toContain('/hook'); // the URL's path can hold a secret (Slack's does)
  });
});
