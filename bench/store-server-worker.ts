/**
 * One report server of the PostgreSQL benchmark on its own thread (own event loop, own store and
 * connections: an instance, as `toolperf serve` is one), over a file store or a PostgreSQL store.
 * Messages: `flush` and `close`; answers `listening`, `ready`, `flushed`, `closed` (as
 * report-server-worker.ts does).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createReports } from '../src/reports/reports.js';
import { startReportServer } from '../src/server/start.js';
import { FileReportStore } from '../src/storage/file-store.js';
import { PostgresReportStore } from '../src/storage/postgres/postgres-store.js';
import type { ServerMessage } from './report-server-worker.js';

export interface StoreServerData {
  readonly kind: 'files' | 'postgres';
  /** The data directory, or the database URL. */
  readonly location: string;
}

const port = parentPort;
if (port === null) throw new Error('store-server-worker must run as a worker thread');
const { kind, location } = workerData as StoreServerData;
const warnings: string[] = [];
const logger = { warn: (message: string) => void warnings.push(message) };
const store = kind === 'files' ? new FileReportStore(location, logger) : new PostgresReportStore(location, logger);
const reports = createReports({ store, logger });
const started = performance.now();
const server = await startReportServer({ reports, port: 0, dashboard: false, logger });
const send = (message: ServerMessage): void => port.postMessage(message);

port.on('message', (message: unknown) => {
  void (async () => {
    if (message === 'flush') {
      await reports.flush();
      send({ type: 'flushed' });
    } else if (message === 'close') {
      await server.close();
      await reports.shutdown();
      if (store instanceof PostgresReportStore) await store.close();
      send({ type: 'closed', warnings, heapUsedMiB: 0 });
      port.close();
    }
  })();
});
send({ type: 'listening', url: server.url });
void server.ready.then(() => send({ type: 'ready', ms: performance.now() - started }));
