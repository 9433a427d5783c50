import { TraceFlags, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../../util/logger.js';

/** A "queue full" line at most this often; drops in between are counted and told once a line is due. */
export const QUEUE_LINE_INTERVAL_MS = 60_000;

/**
 * Bounds the spans waiting for the collector: at most `maxQueued` spans are queued or in flight
 * (the exporter tells `settled` how many left). Past that, spans are dropped and counted, so a
 * collector that is down costs bounded memory and a few log lines: one when dropping starts and
 * one with the count when it drains. A collector that stays down fills and drains the queue every
 * export cycle, and that pair was logged every cycle; now a "full" line (and the "drains" line
 * that answers it) comes at most once a minute, and the drops in between are told with their count
 * once a minute.
 */
export class BoundedSpanProcessor implements SpanProcessor {
  private pending = 0;
  private full = false;
  /** Spans dropped, and times the queue filled, since the last line that counted them. */
  private dropped = 0;
  private episodes = 0;
  /** When a "full" line (or a count in its place) was last logged. */
  private lastLineAt = -Infinity;
  /** Whether the current episode's "full" line was logged, so its "drains" line answers it. */
  private episodeTold = false;
  private tally: NodeJS.Timeout | undefined;

  constructor(
    private readonly inner: SpanProcessor,
    private readonly maxQueued: number,
    private readonly logger: Logger,
  ) {}

  /** The exporter finished with `count` spans, sent or not: they no longer wait. */
  settled(count: number): void {
    this.pending = Math.max(0, this.pending - count);
  }

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.pending >= this.maxQueued) {
      this.dropped++;
      if (!this.full) this.filled();
      return;
    }
    if (this.full) this.drained();
    this.pending++;
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    clearTimeout(this.tally);
    if (this.dropped > 0) this.logger.warn(`${this.dropped} spans were dropped: the OTLP span queue was full`);
    this.dropped = 0;
    return this.inner.shutdown();
  }

  private filled(): void {
    this.full = true;
    this.episodes++;
    const now = Date.now();
    this.episodeTold = now - this.lastLineAt >= QUEUE_LINE_INTERVAL_MS;
    if (!this.episodeTold) {
      this.tally ??= setTimeout(() => this.tellTally(), this.lastLineAt + QUEUE_LINE_INTERVAL_MS - now).unref();
      return;
    }
    const earlier = this.dropped - 1;
    this.logger.warn(
      `OTLP span queue full (${this.maxQueued} spans waiting for the collector): dropping new spans until it drains` +
        (earlier > 0 ? ` (${earlier} spans were dropped since the last line)` : ''),
    );
    clearTimeout(this.tally);
    this.tally = undefined;
    this.lastLineAt = now;
    this.dropped = 1;
    this.episodes = 1;
  }

  private drained(): void {
    this.full = false;
    if (!this.episodeTold) return;
    this.episodeTold = false;
    this.logger.warn(`OTLP span queue drains again: ${this.dropped} spans were dropped while it was full`);
    this.dropped = 0;
    this.episodes = 0;
  }

  private tellTally(): void {
    this.tally = undefined;
    if (this.dropped === 0) return;
    this.logger.warn(
      `OTLP span queue: ${this.dropped} spans were dropped while it was full in the last minute` +
        (this.episodes > 1 ? ` (it filled ${this.episodes} times)` : '') +
        (this.full ? '; it is full now' : '; it drains now'),
    );
    this.lastLineAt = Date.now();
    this.dropped = 0;
    this.episodes = 0;
  }
}
