import { Worker } from 'node:worker_threads';
import type { ServerMessage } from './report-server-worker.js';

/** A report server on a worker thread (its own event loop), driven by `ServerMessage`s. */
export interface ServerThread {
  readonly url: string;
  /** Milliseconds from start to the server's `ready`. */
  readonly readyMs: Promise<number>;
  /** Every session folded so far written. */
  flush(): Promise<void>;
  /** Closes the server and its store; what it logged and its thread's heap after GC (0 where the worker does not measure it). */
  close(): Promise<{ warnings: readonly string[]; heapUsedMiB: number }>;
  /** Ends the thread whatever state it is in; harmless after `close`. */
  terminate(): void;
}

/** Starts `worker` (a module next to this one: `report-server-worker.js`, `store-server-worker.js`) with `workerData`. */
export async function startServerThread(worker: URL, workerData: unknown): Promise<ServerThread> {
  const thread = new Worker(worker, { workerData });
  const next = <T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: ServerMessage): void => {
        if (message.type !== type) return;
        cleanup();
        resolve(message as Extract<ServerMessage, { type: T }>);
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`the server thread exited (${code}) before answering ${type}`));
      };
      const cleanup = (): void => {
        thread.off('message', onMessage);
        thread.off('error', onError);
        thread.off('exit', onExit);
      };
      thread.on('message', onMessage);
      thread.on('error', onError);
      thread.on('exit', onExit);
    });
  const ready = next('ready');
  const { url } = await next('listening');
  return {
    url,
    readyMs: ready.then((m) => m.ms),
    flush: async () => {
      const flushed = next('flushed');
      thread.postMessage('flush');
      await flushed;
    },
    close: async () => {
      const closed = next('closed');
      thread.postMessage('close');
      const { warnings, heapUsedMiB } = await closed;
      return { warnings, heapUsedMiB };
    },
    terminate: () => void thread.terminate(),
  };
}
