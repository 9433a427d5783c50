/**
 * Hands out event-loop turns one at a time: `take()` resolves in a turn of its own, after the
 * event loop has polled for I/O. Long work that takes a turn before each slice runs one slice per
 * turn, however many requests are at it: yielding with `setImmediate` alone lets every request
 * queued in the same phase run its slice back to back (8 bodies × 60 ms measured as one 500 ms
 * stall), while a request for `/healthz` waits.
 */
export class EventLoopTurns {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  take(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // The taker's slice runs in the microtasks right after this callback; the next turn is
      // scheduled now, so it comes in the next iteration of the loop, after its I/O poll.
      this.waiting.shift()?.();
      this.schedule();
    });
  }
}
