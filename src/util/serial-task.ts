const RESOLVED = Promise.resolve();

/**
 * Runs an async task one run at a time. A call while a run is under way queues one more run; later
 * calls share that queued run until it starts, so a caller always gets a run that began after its
 * call (never one under way, which may predate what the caller just changed), and a burst of calls
 * costs two runs, not one each.
 */
export class SerialTask<T> {
  private running: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  constructor(private readonly task: () => Promise<T>) {}

  /** Whether a run is under way or queued. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  run(): Promise<T> {
    if (this.queued) return this.queued;
    const start = (): Promise<T> => {
      this.queued = undefined;
      return this.task();
    };
    const run = (this.running ?? RESOLVED).then(start, start);
    this.queued = run;
    this.running = run;
    const settle = (): void => {
      if (this.running === run) this.running = undefined;
    };
    run.then(settle, settle);
    return run;
  }

  /** Resolves once no run is under way or queued (never rejects). */
  async idle(): Promise<void> {
    while (this.running) await this.running.then(noop, noop);
  }
}

function noop(): void {}
