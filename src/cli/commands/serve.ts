import type { Command } from 'commander';
import type { SessionReportExporter } from '../../../exporters/session-report-exporter.js';
import type { PerformanceConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { PerformanceAPI } from '../../performance-api.js';
import { CliError } from '../cli-error.js';
import { cliLogger, type CliIo } from '../cli-io.js';
import { isLoopbackHost } from '../loopback.js';
import { loadCliConfig, openReports } from '../open-reports.js';
import { parseHost, parsePort } from '../option-parsers.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';

/** Used until the config has a `performance.server` block (added with the report server). */
export const DEFAULT_SERVER_HOST = '127.0.0.1';
export const DEFAULT_SERVER_PORT = 7318;

interface ServeOptions extends StoreOptions {
  readonly host?: string;
  readonly port?: number;
}

/** What `serve` hands to the report server; the fields of the contract's `StartReportServerOptions`. */
export interface StartServerOptions {
  readonly api: PerformanceAPI;
  readonly ingest: SessionReportExporter;
  readonly host: string;
  readonly port: number;
  readonly token?: string;
  readonly logger: Logger;
}

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The one seam to the report server: becomes `return startReportServer(options)` once it is merged. */
export async function startServer(_options: StartServerOptions): Promise<RunningServer> {
  throw new Error('serve: report server not merged yet');
}

export function addServeCommand(program: Command, io: CliIo): void {
  addStoreOptions(program.command('serve').summary('serve the report API, OTLP ingest and dashboard').description('Serve the report API, OTLP ingest (POST /v1/traces) and the dashboard over the stored reports.'))
    .option('--host <host>', `address to listen on (default: the config's server.host, else ${DEFAULT_SERVER_HOST}); a non-loopback one needs TOOLPERF_API_TOKEN`, parseHost)
    .option('--port <n>', `port to listen on, 0 for a free one (default: the config's server.port, else ${DEFAULT_SERVER_PORT})`, parsePort)
    .addHelpText('after', [
      '',
      'Examples:',
      '  toolperf serve --port 8080',
      '  TOOLPERF_API_TOKEN=$(openssl rand -hex 32) toolperf serve --host 0.0.0.0',
    ].join('\n'))
    .action(async (options: ServeOptions) => {
      const loaded = await loadCliConfig(options, io);
      const defaults = serverDefaults(loaded.config);
      const host = options.host ?? defaults.host;
      const port = options.port ?? defaults.port;
      const token = io.env.TOOLPERF_API_TOKEN || undefined;
      if (token === undefined && !isLoopbackHost(host)) {
        throw new CliError(`serve: refusing to listen on ${host} without a token: set TOOLPERF_API_TOKEN (clients send "Authorization: Bearer <token>"), or use a loopback host such as 127.0.0.1`);
      }
      const reports = openReports(loaded, io);
      try {
        const server = await startServer({ api: reports.api, ingest: reports.exporter, host, port, token, logger: cliLogger(io) });
        io.stdout(`toolperf: serving reports from ${reports.dataDir} at ${server.url} (Ctrl-C to stop)\n`);
        await io.untilStopped();
        await server.close();
      } finally {
        // Writes what OTLP ingest folded in before the process ends.
        await reports.close();
      }
    });
}

/** `performance.server` comes with the report server's branch; read loosely so that this compiles before and after. */
function serverDefaults(config: PerformanceConfig): { host: string; port: number } {
  const server = (config as { server?: { host?: string; port?: number } }).server;
  return { host: server?.host ?? DEFAULT_SERVER_HOST, port: server?.port ?? DEFAULT_SERVER_PORT };
}
