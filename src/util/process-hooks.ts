import { describeError, type Logger } from './logger.js';

/** What the hooks need from a tracker. */
export interface Flushable {
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  /** The last, synchronous write at `process.exit`. */
  flushSync(): void;
  hasUnwritten(): boolean;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** A signal's shutdown gets this long before the process goes down anyway. */
export const SIGNAL_SHUTDOWN_TIMEOUT_MS = 5000;

/**
 * Makes sure nothing is lost when the process ends: `beforeExit` writes what is unwritten,
 * `exit` (also reached through `process.exit()`) writes synchronously, and SIGINT/SIGTERM shut
 * down and then, if nothing else listens for that signal, end the process as the signal would have.
 * Returns the function that removes the hooks.
 */
export function installProcessHooks(target: Flushable, logger: Logger): () => void {
  const onBeforeExit = (): void => {
    // flush() is not meant to reject; if it did, an unhandled rejection would end the process.
    if (target.hasUnwritten()) target.flush().catch((error: unknown) => logger.warn(`flush before exit failed: ${describeError(error)}`));
  };
  const onExit = (): void => target.flushSync();
  const onSignal = (signal: NodeJS.Signals): void => {
    removeSignalListeners();
    const timeout = setTimeout(() => {
      logger.warn(`shutdown after ${signal} took over ${SIGNAL_SHUTDOWN_TIMEOUT_MS} ms; exiting without waiting`);
      reraise(signal);
    }, SIGNAL_SHUTDOWN_TIMEOUT_MS).unref();
    target.shutdown().then(
      () => {
        clearTimeout(timeout);
        reraise(signal);
      },
      (error: unknown) => {
        clearTimeout(timeout);
        logger.warn(`shutdown after ${signal} failed: ${describeError(error)}`);
        reraise(signal);
      },
    );
  };
  const removeSignalListeners = (): void => {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };

  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
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
