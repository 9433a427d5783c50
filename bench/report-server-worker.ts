/**
 * The server side of figure 4, on its own thread (own event loop), so that autocannon on the main
 * thread does not queue behind it: `createPerformance` over the seeded data dir and
 * `startReportServer`. Messages: `flush` (perf.flush) and `close`; answers `listening`, `ready`
 * (its background warm-up done), `flushed`, `closed`.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { createPerformance } from '../src/performance.js';
import { startReportServer } from '../src/server/start.js';

export type ServerMessage =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'ready'; readonly ms: number }
  | { readonly type: 'flushed' }
  | { readonly type: 'closed'; readonly warnings: readonly string[]; readonly heapUsedMiB: number };

const port = parentPort;
if (port === null) throw new Error('report-server-worker must run as a worker thread');
const { dataDir } = workerData as { dataDir: string };
const warnings: string[] = [];
const logger = { warn: (message: string) => void warnings.push(message) };
const perf = createPerformance({ enabled: true, dataDir, handleProcessExit: false, env: {}, logger });
const started = performance.now();
const server = await startReportServer({ reports: perf.reports, port: 0, dashboard: false, logger });
const send = (message: ServerMessage): void => port.postMessage(message);

port.on('message', (message: unknown) => {
  void (async () => {
    if (message === 'flush') {
      await perf.flush();
      send({ type: 'flushed' });
    } else if (message === 'close') {
      // This thread's live heap (the worker inherits --expose-gc): the digest cache of the 10,000
      // sessions and the live ingest sessions.
      globalThis.gc?.();
      globalThis.gc?.();
      const heapUsedMiB = getHeapStatistics().used_heap_size / 2 ** 20;
      await server.close();
      await perf.shutdown();
      send({ type: 'closed', warnings, heapUsedMiB });
      port.close();
    }
  })();
});
send({ type: 'listening', url: server.url });
void server.ready.then(() => send({ type: 'ready', ms: performance.now() - started }));
