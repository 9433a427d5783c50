import type { Command } from 'commander';
import { DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT } from '../../config/schema.js';
import { cliLogger, type CliIo } from '../cli-io.js';
import { parseHost, parsePort } from '../option-parsers.js';
import { resolveServerAddress } from '../server-address.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';

interface ServeOptions extends StoreOptions {
  readonly host?: string;
  readonly port?: number;
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
      const { loadCliConfig, openReports } = await import('../open-reports.js');
      const loaded = await loadCliConfig(options, io);
      // Checked before the store is opened: a refused start touches nothing.
      const address = resolveServerAddress(options, loaded.config, io.env);
      const { startReportServer } = await import('../../server/start.js');
      const { reports, dataDir } = openReports(loaded, io);
      try {
        const { jaegerUrl } = loaded.config.server;
        const server = await startReportServer({ ...address, reports, logger: cliLogger(io), ...(jaegerUrl === undefined ? {} : { jaegerUrl }) });
        io.stdout(`toolperf: serving reports from ${dataDir} at ${server.url} (Ctrl-C to stop)\n`);
        await io.untilStopped();
        await server.close();
      } finally {
        // Writes what OTLP ingest folded in before the process ends.
        await reports.shutdown();
      }
    });
}
