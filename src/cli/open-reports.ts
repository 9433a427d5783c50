import { resolve } from 'node:path';
import type { PerformanceConfig } from '../config/schema.js';
import { loadConfig } from '../config/load.js';
import { createReports, type CreateReportsOptions, type Reports } from '../reports/reports.js';
import { AlertOptionsError, type AlertsOptions } from '../reports/alerts/alert-rules.js';
import { ConfigError } from '../config/errors.js';
import { defaultDataDir } from '../storage/data-dir.js';
import { FileReportStore } from '../storage/file-store.js';
import { cliLogger, type CliIo } from './cli-io.js';
import type { StoreOptions } from './store-options.js';

/** The configuration a command runs with, and the data directory it reads. */
export interface CliConfig {
  readonly config: PerformanceConfig;
  readonly dataDir: string;
}

/** The stored reports, open for reading (and for folding spans, for `serve`'s ingest). */
export interface OpenReports extends CliConfig {
  readonly reports: Reports;
}

/** What a command sets beyond the config: `serve`'s thresholds. */
export type ReportsOverrides = Pick<CreateReportsOptions, 'idleAfterMs' | 'endIdleAfterMs'>;

/** Loads `--config` (else `$TOOLPERF_CONFIG`, else `./toolperf.json`) with environment overrides; `--data-dir` wins. */
export async function loadCliConfig(options: StoreOptions, io: CliIo): Promise<CliConfig> {
  const config = await loadConfig({ file: options.config, cwd: io.cwd, env: io.env, logger: cliLogger(io) });
  return { config, dataDir: resolve(io.cwd, options.dataDir ?? config.dataDir ?? defaultDataDir()) };
}

/** `read`: the command only reads, and nothing in the data directory is written, moved or removed. */
export type ReportsMode = 'read' | 'write';

/**
 * The reports in the data directory, without a tracker: no tracer, OTLP exporter or Prometheus
 * endpoint is started from the user's config (one would take the agent's port), and the files
 * are what is read whatever `saveReports` says. Opened `read`, a corrupt report is reported with
 * how to set it aside, and left where it is.
 */
export function openReports({ config, dataDir }: CliConfig, io: CliIo, mode: ReportsMode = 'write', overrides: ReportsOverrides = {}): OpenReports {
  const logger = cliLogger(io);
  const reports = withAlertsChecked(() => createReports({
    store: new FileReportStore(dataDir, logger, { readOnly: mode === 'read' }),
    maxMetrics: config.maxMetrics,
    writeIntervalMs: config.writeIntervalMs,
    sessionIdleTimeoutMs: config.sessionIdleTimeoutMs,
    idleAfterMs: config.idleAfterMs,
    recordErrorMessages: config.recordErrorMessages,
    // A reading command folds no calls: alert rules would have nothing to look at.
    alerts: mode === 'read' ? false : (config.alerts as AlertsOptions),
    logger,
    ...overrides,
  }));
  return { config, dataDir, reports };
}

/** The config's alert rules are checked as the reports open: a bad one is a `ConfigError` naming its key. */
function withAlertsChecked<T>(open: () => T): T {
  try {
    return open();
  } catch (error) {
    if (!(error instanceof AlertOptionsError)) throw error;
    throw new ConfigError('config', error.problems.map((p) => ({ ...p, key: `performance.${p.key}` })));
  }
}
