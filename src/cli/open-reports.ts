import { resolve } from 'node:path';
import type { SessionReportExporter } from '../reports/session-report-exporter.js';
import type { PerformanceConfig } from '../config/schema.js';
import { defaultDataDir } from '../storage/data-dir.js';
import { loadConfig } from '../config/load.js';
import type { PerformanceAPI } from '../reports/reports.js';
import { createPerformance } from '../performance.js';
import { cliLogger, type CliIo } from './cli-io.js';
import type { StoreOptions } from './store-options.js';

/** The configuration a command runs with, and the data directory it reads. */
export interface CliConfig {
  readonly config: PerformanceConfig;
  readonly dataDir: string;
}

/** The stored reports, open for reading (and for folding spans, for `serve`'s ingest). */
export interface OpenReports extends CliConfig {
  readonly api: PerformanceAPI;
  readonly exporter: SessionReportExporter;
  close(): Promise<void>;
}

/** Loads `--config` (else `$TOOLPERF_CONFIG`, else `./toolperf.json`) with environment overrides; `--data-dir` wins. */
export async function loadCliConfig(options: StoreOptions, io: CliIo): Promise<CliConfig> {
  const config = await loadConfig({ file: options.config, cwd: io.cwd, env: io.env });
  return { config, dataDir: resolve(io.cwd, options.dataDir ?? config.dataDir ?? defaultDataDir()) };
}

export function openReports({ config, dataDir }: CliConfig, io: CliIo): OpenReports {
  // Disabled: reading needs no tracking, so no tracer, OTLP exporter or Prometheus endpoint is
  // started from the user's config (one would take the agent's port). Its api and exporter still
  // work over the file store; saveReports is forced so that the files are what is read.
  const perf = createPerformance({ ...config, enabled: false, saveReports: true, dataDir, handleProcessExit: false, env: io.env, logger: cliLogger(io) });
  return { config, dataDir, api: perf.api, exporter: perf.exporter, close: () => perf.shutdown() };
}

/** Runs `fn` over the stored reports and closes them afterwards, whatever happens. */
export async function withReports<T>(options: StoreOptions, io: CliIo, fn: (reports: OpenReports) => Promise<T>): Promise<T> {
  const reports = openReports(await loadCliConfig(options, io), io);
  try {
    return await fn(reports);
  } finally {
    await reports.close();
  }
}
