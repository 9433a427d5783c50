import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import type { Reports } from '../reports/reports.js';
import { createDashboardApp } from './dashboard.js';
import { isLoopbackHost } from './loopback.js';
import { createReportApp, flushIngest } from './app.js';
import { ServerConfigError } from './server-config-error.js';

export interface StartReportServerOptions {
  /** The reports to serve (and fold OTLP ingest into). */
  readonly reports: Reports;
  /** Serve OTLP ingest (`POST /v1/traces`). Default true. */
  readonly ingest?: boolean;
  /** Default 127.0.0.1. Any other than loopback requires a token. */
  readonly host?: string;
  /** Default 7318 (the config's `server.port`); 0 picks a free port. */
  readonly port?: number;
  /** Bearer token for `/api/*` and `/v1/*`. Default `$TOOLPERF_API_TOKEN`. */
  readonly token?: string;
  readonly logger?: Logger;
  /** Mounted at `/`. Default: the dashboard (`createDashboardApp({ jaegerUrl })`); `false` serves the API alone. */
  readonly dashboard?: Hono | false;
  /** Jaeger's UI (the config's `server.jaegerUrl`): the default dashboard links calls to their traces there. */
  readonly jaegerUrl?: string;
  /** Largest request body, before and after gzip. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Fingerprint the arguments agents send, then drop them (the config's `fingerprintArguments`). Default false. */
  readonly fingerprintArguments?: boolean;
}

export interface RunningReportServer {
  /** E.g. `http://127.0.0.1:7318`. */
  readonly url: string;
  /**
   * Resolves once the stored sessions are listed and the tools' figures merged, which the server
   * starts on its own after it listens (requests are served meanwhile). Never rejects.
   */
  readonly ready: Promise<void>;
  /** Stops listening, closes open connections and folds the calls ingest still holds. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves `createReportApp` over HTTP. Binds loopback unless told otherwise; a non-loopback host
 * without a token rejects with `ServerConfigError`.
 *
 * @example
 * const server = await startReportServer({ reports: createReports(), port: 0 });
 * console.log(`${server.url}/api/v1/sessions`);
 * await server.close();
 */
export async function startReportServer(options: StartReportServerOptions): Promise<RunningReportServer> {
  const host = options.host ?? DEFAULT_SERVER_HOST;
  const port = options.port ?? DEFAULT_SERVER_PORT;
  // An empty token is none: it could guard nothing.
  const token = options.token || process.env.TOOLPERF_API_TOKEN || undefined;
  if (!isLoopbackHost(host) && token === undefined) {
    throw new ServerConfigError(`refusing to serve on ${host} without a token: set TOOLPERF_API_TOKEN (or pass token), or bind 127.0.0.1`);
  }
  const app = createReportApp(options.reports, {
    ...(options.ingest !== undefined ? { ingest: options.ingest } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.dashboard !== false
      ? { dashboard: options.dashboard ?? createDashboardApp(options.jaegerUrl === undefined ? {} : { jaegerUrl: options.jaegerUrl }) }
      : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.fingerprintArguments !== undefined ? { fingerprintArguments: options.fingerprintArguments } : {}),
  });
  // Leave the host application's global Request/Response alone.
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  // The first listing reads every stored report (seconds at 10,000): done now, in the background
  // and between requests, rather than by the first user. A failure is the first request's to report.
  const ready = options.reports
    .listSessionsPage({ limit: 1 })
    .then(() => options.reports.listToolTrends())
    .then(
      () => undefined,
      () => undefined,
    );
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    ready,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      // Calls ingest holds for their copy on another signal are folded now, before the reports' last write.
      flushIngest(app);
      return closed;
    },
  };
}
