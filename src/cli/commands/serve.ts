import type { Command } from 'commander';
import { DEFAULT_END_IDLE_AFTER_MS, DEFAULT_IDLE_AFTER_MS, DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT } from '../../config/schema.js';
import { formatDuration } from '../../util/format-duration.js';
import { describeError } from '../../util/logger.js';
import { CliError } from '../cli-error.js';
import { cliLogger, type CliIo } from '../cli-io.js';
import { parseDurationOption, parseDurationOrNever, parseHost, parsePort } from '../option-parsers.js';
import { resolveServerAddress } from '../server-address.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';

interface ServeOptions extends StoreOptions {
  readonly host?: string;
  readonly port?: number;
  readonly idleAfter?: number;
  readonly endIdleAfter?: number;
}

export function addServeCommand(program: Command, io: CliIo): void {
  addStoreOptions(program.command('serve').summary('serve the report API, OTLP ingest and dashboard').description('Serve the report API, OTLP ingest (POST /v1/traces) and the dashboard over the stored reports.'))
    .option('--host <host>', `address to listen on (default: the config's server.host, else ${DEFAULT_SERVER_HOST}); a non-loopback one needs TOOLPERF_API_TOKEN`, parseHost)
    .option('--port <n>', `port to listen on, 0 for a free one (default: the config's server.port, else ${DEFAULT_SERVER_PORT})`, parsePort)
    .option('--idle-after <duration>', `a session with no call for longer is idle, not active (default: the config's idleAfterMs, else ${formatDuration(DEFAULT_IDLE_AFTER_MS)})`, parseDurationOption)
    .option('--end-idle-after <duration>', `a session this server ingested is ended once it has had no call for this long, or never (default: the config's server.endIdleAfterMs, else ${formatDuration(DEFAULT_END_IDLE_AFTER_MS)})`, parseDurationOrNever)
    .addHelpText('after', [
      '',
      'Examples:',
      '  toolperf serve --port 8080',
      '  toolperf serve --idle-after 2m --end-idle-after 1h',
      '  TOOLPERF_API_TOKEN=$(openssl rand -hex 32) toolperf serve --host 0.0.0.0',
    ].join('\n'))
    .action(async (options: ServeOptions) => {
      const { loadCliConfig, openReports } = await import('../open-reports.js');
      const loaded = await loadCliConfig(options, io);
      // Checked before the store is opened: a refused start touches nothing.
      const address = resolveServerAddress(options, loaded.config, io.env);
      if (loaded.storeUrl === undefined) {
        const { unusableDataDir } = await import('../../storage/usable-directory.js');
        const unusable = await unusableDataDir(loaded.dataDir);
        if (unusable !== undefined) throw new CliError(`serve: cannot keep reports in ${loaded.dataDir}: ${unusable}; choose another with --data-dir`);
      }
      const { startReportServer } = await import('../../server/start.js');
      const endIdleAfterMs = options.endIdleAfter ?? loaded.config.server.endIdleAfterMs;
      const { reports, store, location, close } = openReports(loaded, io, 'write', {
        idleAfterMs: options.idleAfter ?? loaded.config.idleAfterMs,
        ...(endIdleAfterMs > 0 ? { endIdleAfterMs } : {}),
      });
      try {
        // A database that cannot be reached (or migrated) refuses the start, before anything listens.
        if (store instanceof (await import('../../storage/postgres/postgres-store.js')).PostgresReportStore) {
          await store.open().catch((error: unknown) => {
            throw new CliError(`serve: cannot open the report store ${location}: ${describeError(error)}`);
          });
        }
        const { jaegerUrl } = loaded.config.server;
        const { fingerprintArguments } = loaded.config;
        const server = await startReportServer({ ...address, reports, logger: cliLogger(io), fingerprintArguments, ...(jaegerUrl === undefined ? {} : { jaegerUrl }) }).catch((error: unknown) => {
          throw listenError(error, address.host, address.port);
        });
        io.stdout(`toolperf: serving reports from ${location} at ${server.url} (Ctrl-C to stop)\n`);
        await io.untilStopped();
        await server.close();
      } finally {
        // Writes what OTLP ingest folded in before the process ends.
        await close();
      }
    });
}

/** What a failed listen means for the user, and what to do (the raw error names neither flag). */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new CliError(`serve: port ${port} on ${host} is in use; choose another with --port <n> (--port 0 takes any free one)`);
  if (code === 'EACCES') return new CliError(`serve: not allowed to listen on port ${port} (ports below 1024 need privileges); choose another with --port <n>`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new CliError(`serve: cannot listen on ${host}: not an address of this machine; choose another with --host`);
  return error;
}
