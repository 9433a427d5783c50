import { FailureLog, type Logger } from '../../util/logger.js';
import { alertText, type ListedAlert } from './alert-text.js';
import type { ResolvedAlerts } from './alert-rules.js';

export interface AlertWebhookSettings extends Omit<ResolvedAlerts['webhook'], 'url'> {
  readonly url: string;
  /** The first retry's wait; each next one waits twice as long, up to a minute. Default 1 s. */
  readonly retryBaseMs?: number;
}

const MAX_BACKOFF_MS = 60_000;

/**
 * POSTs each alert transition as JSON (`{ text, alert }`: Slack's incoming webhooks show `text`,
 * other receivers read `alert`) with the configured headers, one at a time, in order. Nothing here
 * runs on a call's path: `send` only queues. A failed POST (network, timeout, 429 or 5xx) is
 * retried with exponential backoff; a queue full past `maxQueue` drops new alerts and counts
 * them. Failures and drops are logged once per streak. The alert itself is in the session's
 * report whatever happens here.
 */
export class AlertWebhook {
  private readonly queue: ListedAlert[] = [];
  private worker: Promise<void> | undefined;
  private readonly failures: FailureLog;
  private closed = false;
  private wakeUp: (() => void) | undefined;
  /** Alerts dropped: the queue was full, or every try failed. */
  dropped = 0;
  delivered = 0;

  constructor(
    private readonly settings: AlertWebhookSettings,
    logger: Logger,
  ) {
    this.failures = new FailureLog(logger);
  }

  /** Queues the alert for delivery; never throws, never waits. */
  send(alert: ListedAlert): void {
    if (this.closed) return;
    if (this.queue.length >= this.settings.maxQueue) {
      this.dropped++;
      this.failures.fail('queue', `the alert webhook's queue is full (${this.settings.maxQueue} alerts waiting); dropping new alerts (${this.dropped} so far); they stay in the reports and the API`);
      return;
    }
    this.failures.recover('queue');
    this.queue.push(alert);
    this.worker ??= this.drain().finally(() => {
      this.worker = undefined;
    });
  }

  /** Alerts waiting or being sent. */
  get pending(): number {
    return this.queue.length;
  }

  /** Waits for the queue to drain, for at most `graceMs`; then stops (what is left is dropped and logged). */
  async close(graceMs: number): Promise<void> {
    if (this.worker !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.worker, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs).unref()))]);
      clearTimeout(timer);
    }
    this.closed = true;
    this.wakeUp?.();
    const left = this.queue.length;
    if (left > 0) {
      this.dropped += left;
      this.queue.length = 0;
      this.failures.fail('close', `shut down with ${left} alert(s) not delivered to the webhook; they stay in the reports and the API`);
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const alert = this.queue[0] as ListedAlert;
      await this.deliver(alert);
      if (this.queue[0] === alert) this.queue.shift();
    }
  }

  private async deliver(alert: ListedAlert): Promise<void> {
    const body = JSON.stringify({ text: alertText(alert), alert });
    const { url, headers, timeoutMs, maxRetries, retryBaseMs = 1000 } = this.settings;
    let problem = '';
    for (let attempt = 0; attempt <= maxRetries && !this.closed; attempt++) {
      if (attempt > 0) await this.wait(Math.min(MAX_BACKOFF_MS, retryBaseMs * 2 ** (attempt - 1)));
      if (this.closed) break;
      try {
        const response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs) });
        await response.body?.cancel();
        if (response.ok) {
          this.delivered++;
          this.failures.recover('post');
          return;
        }
        problem = `HTTP ${response.status}`;
        // Another 4xx will not change by asking again.
        if (response.status < 500 && response.status !== 429 && response.status !== 408) break;
      } catch (error) {
        problem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
    if (this.closed) return;
    this.dropped++;
    this.failures.fail('post', `could not deliver an alert to the webhook at ${new URL(url).origin} (${problem}); it stays in the reports and the API`);
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms).unref();
      this.wakeUp = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
