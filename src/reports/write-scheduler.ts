export interface WriteSchedulerOptions {
  /** Debounce: a dirty session is written at most once per interval. */
  readonly intervalMs: number;
  /** Debounced writes in flight at once. */
  readonly concurrency: number;
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
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

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

  /** Every dirty session, no longer dirty: the caller writes them. */
  takeAll(): string[] {
    const ids = [...this.dirty];
    this.dirty.clear();
    return ids;
  }

  /** Writes every dirty session now and waits for every write under way. */
  async flush(): Promise<void> {
    this.clearTimer();
    const writes = this.takeAll().map((id) => this.options.write(id));
    await Promise.all([...writes, ...this.pending]);
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
      this.track(this.writeDirty());
    }, this.options.intervalMs).unref();
  }

  /**
   * The debounced write of every dirty session, a few at a time: each write serializes its report
   * synchronously, and all of them at once held a server's event loop for hundreds of ms (measured
   * with OTLP ingest over 64 sessions); between writes' file I/O other work runs.
   */
  private async writeDirty(): Promise<void> {
    const ids = [...this.dirty];
    let next = 0;
    const writeInTurn = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        // Dirty until its turn, so that neither eviction nor the exit write can pass it over;
        // gone from `dirty` meanwhile means written (flush, exit) or cleared already.
        if (this.dirty.delete(id)) await this.options.write(id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, ids.length) }, writeInTurn));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
