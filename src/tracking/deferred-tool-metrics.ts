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
      // Each duration is its own record, but the calls are counted once per label set and flush:
      // a counter add costs the same attribute hashing as a record, and a batch shares few sets.
      const counts = new Map<string, { attributes: Attributes; calls: number }>();
      for (let i = 0; i < values.length; i++) {
        const callAttributes = attributes[i] as Attributes;
        this.duration.record(values[i] as number, callAttributes);
        const key = labelSetKey(callAttributes);
        const count = counts.get(key);
        if (count === undefined) counts.set(key, { attributes: callAttributes, calls: 1 });
        else count.calls++;
      }
      for (const { attributes: labels, calls } of counts.values()) this.calls.add(calls, labels);
    } catch (error) {
      this.onError(error);
    }
  }
}

/**
 * Equal for equal label sets built the same way (the wrapper's fixed-shape literals keep their key
 * order); a set built in another order only gets an add of its own.
 */
function labelSetKey(attributes: Attributes): string {
  let key = '';
  for (const name in attributes) key += `${name}\u0000${String(attributes[name])}\u0001`;
  return key;
}
