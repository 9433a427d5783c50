import type { Attributes, Counter, Histogram } from '@opentelemetry/api';

/** How long a record may wait before it reaches the SDK; metric readers collect every few seconds at most. */
export const DEFERRED_RECORD_DELAY_MS = 250;
/** Past this many waiting records they are handed over at once, so memory stays bounded under any load. */
export const DEFERRED_RECORD_LIMIT = 16_384;

/**
 * The tool metrics (duration histogram and call counter), fed off the caller's path. `sdk-metrics`
 * hashes the attributes of every record (~0.8 µs for three), so the wrapper only pushes the value
 * and its attributes here and the SDK sees them a moment later, in a batch. Nothing is dropped:
 * `flush` (called on flush, shutdown, process exit and before every scrape) hands over whatever waits.
 */
export class DeferredToolMetrics {
  private values: number[] = [];
  private attributes: Attributes[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly duration: Histogram,
    private readonly calls: Counter,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** One finished call: its duration in seconds and its metric attributes. */
  record(seconds: number, attributes: Attributes): void {
    this.values.push(seconds);
    this.attributes.push(attributes);
    if (this.values.length >= DEFERRED_RECORD_LIMIT) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), DEFERRED_RECORD_DELAY_MS).unref();
  }

  /** Hands every waiting record to the SDK. Synchronous, so it also works at `exit`. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const { values, attributes } = this;
    if (values.length === 0) return;
    this.values = [];
    this.attributes = [];
    try {
      for (let i = 0; i < values.length; i++) {
        this.duration.record(values[i] as number, attributes[i]);
        this.calls.add(1, attributes[i]);
      }
    } catch (error) {
      this.onError(error);
    }
  }
}
