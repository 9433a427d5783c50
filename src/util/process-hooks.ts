import { describeError, LoggedError, type Logger } from './logger.js';

/** What the hooks need from a tracker. */
export interface Flushable {
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  /** The last, synchronous write at `process.exit`. */
  flushSync(): void;
  hasUnwritten(): boolean;
  /**
   * Ends, synchronously, the calls the host will never end now (an agent that goes down on a signal
   * without ending the turn it is in); returns how many. Run first whenever the hooks run; on a
   * signal that ends some, the process goes down at once after a synchronous write.
   */
  endOpenCalls?(): number;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** A signal's shutdown gets this long; then what is left is written synchronously and the process goes down. */
export const SIGNAL_SHUTDOWN_TIMEOUT_MS = 5000;
/**
 * `beforeExit` flushes in a row that leave something unwritten before the hook stops trying. A
 * failing store (read-only, full) puts its sessions back as unwritten, and each flush that ends
 * empties the event loop again: without a bound, `beforeExit` → flush → `beforeExit` never ended
 * (15-27k flushes in 10 s). The synchronous write at `exit` still makes one last attempt.
 */
const BEFORE_EXIT_ATTEMPTS = 2;

/**
 * Makes sure nothing is lost when the process ends: `beforeExit` writes what is unwritten,
 * `exit` (also reached through `process.exit()`) writes synchronously, and SIGINT/SIGTERM:
 * - if nothing else listens for that signal, shut down (writing what is unwritten, at most
 *   `SIGNAL_SHUTDOWN_TIMEOUT_MS`, then the rest synchronously) and end the process as the signal
 *   would have;
 * - if the application listens too, it decides what the signal means (an agent cancels a turn on
 *   Ctrl-C and goes on; a server drains, then exits): write what is unwritten and keep tracking.
 * Returns the function that removes the hooks.
 */
export function installProcessHooks(target: Flushable, logger: Logger): () => void {
  let fruitlessFlushes = 0;
  const onBeforeExit = (): void => {
    target.endOpenCalls?.();
    if (fruitlessFlushes >= BEFORE_EXIT_ATTEMPTS || !target.hasUnwritten()) return;
    target.flush().then(
      () => {
        fruitlessFlushes = target.hasUnwritten() ? fruitlessFlushes + 1 : 0;
      },
      (error: unknown) => {
        fruitlessFlushes++;
        logger.warn(`writing reports before exit failed: ${describeError(error)}`);
      },
    );
  };
  const onExit = (): void => {
    target.endOpenCalls?.();
    target.flushSync();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    const ended = target.endOpenCalls?.() ?? 0;
    if (process.listenerCount(signal) > 1) {
      // The calls just ended are written now: the application may end the process in this same
      // tick (re-raising the signal ends it without an `exit` event).
      if (ended > 0) target.flushSync();
      target.flush().catch((error: unknown) => logger.warn(`writing reports after ${signal} failed: ${describeError(error)}`));
      return;
    }
    removeSignalListeners();
    if (ended > 0) {
      // Calls were cut mid-work: the process goes down now, as the signal alone would have taken it,
      // with what is unwritten written synchronously. A shutdown's wait would let the host finish
      // calls already counted as cut, and record them finished in its own storage.
      target.flushSync();
      reraise(signal);
      return;
    }
    // Ends the shutdown early: what is left is written synchronously, then the process goes down.
    const cutShort = (why: string | undefined, end: NodeJS.Signals): void => {
      clearTimeout(timeout);
      removeSecondSignalListeners();
      // Undefined: the cause was logged where it happened.
      if (why !== undefined) logger.warn(`${why}; writing what is left synchronously`);
      target.flushSync();
      reraise(end);
    };
    const timeout = setTimeout(() => cutShort(`shutdown after ${signal} took over ${SIGNAL_SHUTDOWN_TIMEOUT_MS} ms`, signal), SIGNAL_SHUTDOWN_TIMEOUT_MS).unref();
    // A second Ctrl-C while writing would kill the process at once, with the sessions not yet written.
    const onSecondSignal = (second: NodeJS.Signals): void => cutShort(`${second} during the shutdown after ${signal}`, second);
    const removeSecondSignalListeners = (): void => {
      for (const other of SIGNALS) process.removeListener(other, onSecondSignal);
    };
    for (const other of SIGNALS) process.on(other, onSecondSignal);
    target.shutdown().then(
      () => {
        clearTimeout(timeout);
        removeSecondSignalListeners();
        reraise(signal);
      },
      (error: unknown) => cutShort(error instanceof LoggedError ? undefined : `shutdown after ${signal} failed: ${describeError(error)}`, signal),
    );
  };
  const removeSignalListeners = (): void => {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };

  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  // First among the signal's listeners: a listener added with `once` is removed as it runs, so
  // counting after it would miss it and take the signal for ours alone.
  for (const signal of SIGNALS) process.prependListener(signal, onSignal);
  return () => {
    removeSignalListeners();
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('exit', onExit);
  };
}

/** Lets the signal do what it would have done, unless the application took it over. */
function reraise(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
