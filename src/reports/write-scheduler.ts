import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { SerialTask } from '../util/serial-task.js';

export interface WriteSchedulerOptions {
  /** Debounce: a dirty session is written at most once per interval. */
  readonly intervalMs: number;
  /** Debounced writes in flight at once, across every cycle. */
  readonly concurrency: number;
  /** Writes in flight at once in a cycle that a `flush` waits for. Default: `concurrency`. */
  readonly flushConcurrency?: number;
  /** Writes one session; never rejects (a failed write marks the session dirty again). */
  readonly write: (sessionId: string) => Promise<void>;
}

/**
 * Which sessions have unwritten calls, and when they are written: debounced, a few at a time, off
 * the callers' path. Tracks every write it starts so that `flush` can wait for them.
 */
export class WriteScheduler {
  private readonly dirty = new Set<string>();
  private readonly pending = new Set<Promise<unknown>>();
  /**
   * One write cycle at a time. A timer that fires while a cycle runs queues the next one behind it
   * instead of starting another beside it: with a 10 ms interval and cycles slower than that,
   * overlapping cycles put 50 writes in flight for 50 sessions (360 for 400), each slowing the
   * others, and the stored state fell further behind rather than closer.
   */
  private readonly cycles = new SerialTask(() => this.writeDirty());
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Flushes waiting for a cycle: the next cycle to start writes at `flushConcurrency`. */
  private flushes = 0;

  constructor(private readonly options: WriteSchedulerOptions) {}

  /** Hot: once per folded call. */
  markDirty(sessionId: string): void {
    this.dirty.add(sessionId);
    if (this.timer === undefined && !this.closed) this.schedule();
  }

  isDirty(sessionId: string): boolean {
    return this.dirty.has(sessionId);
  }

  /** Forgets a session's unwritten state (written another way, or cleared); true if it was dirty. */
  forget(sessionId: string): boolean {
    return this.dirty.delete(sessionId);
  }

  hasDirty(): boolean {
    return this.dirty.size > 0;
  }

  /** Sessions waiting to be written. */
  get dirtyCount(): number {
    return this.dirty.size;
  }

  /** Every dirty session, no longer dirty: the caller writes them. */
  takeAll(): string[] {
    const ids = [...this.dirty];
    this.dirty.clear();
    return ids;
  }

  /** Writes every dirty session now (a few at a time) and waits for every write under way. */
  async flush(): Promise<void> {
    this.clearTimer();
    this.flushes++;
    const cycle = this.cycles.run();
    this.track(cycle);
    try {
      await Promise.all([cycle, ...this.pending]);
    } finally {
      this.flushes--;
    }
  }

  /** Stops debouncing: later calls are written by `flush` only. */
  close(): void {
    this.closed = true;
    this.clearTimer();
  }

  /** Keeps `promise` among the writes `flush` waits for. */
  track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    const done = () => this.pending.delete(promise);
    promise.then(done, done);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.track(this.cycles.run());
    }, this.options.intervalMs).unref();
  }

  /**
   * Every dirty session, a few at a time: each write serializes its report synchronously, and all
   * of them at once held a server's event loop for hundreds of ms (measured with OTLP ingest over
   * 64 sessions). Each writer yields to the event loop between its writes, since a synchronous
   * store (the in-memory one of `saveReports: false`) never would: a cycle over 1,000 sessions
   * held the loop for up to 5.4 s.
   */
  private async writeDirty(): Promise<void> {
    const ids = [...this.dirty];
    const concurrency = this.flushes > 0 ? (this.options.flushConcurrency ?? this.options.concurrency) : this.options.concurrency;
    let next = 0;
    const writeInTurn = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        // Dirty until its turn, so that neither eviction nor the exit write can pass it over;
        // gone from `dirty` meanwhile means written (flush, exit) or cleared already.
        if (this.dirty.delete(id)) await this.options.write(id);
        if (next < ids.length) await yieldToEventLoop();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, writeInTurn));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
