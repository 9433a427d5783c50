import { resolve } from 'node:path';
import type { PerformanceConfig } from '../config/schema.js';
import { loadConfig } from '../config/load.js';
import { createReports, type CreateReportsOptions, type Reports } from '../reports/reports.js';
import { AlertOptionsError, type AlertsOptions } from '../reports/alerts/alert-rules.js';
import { ConfigError } from '../config/errors.js';
import { defaultDataDir } from '../storage/data-dir.js';
import { openStore } from '../storage/open-store.js';
import type { ReportStore } from '../storage/report-store.js';
import { isPostgresUrl, redactStoreUrl } from '../util/store-url.js';
import { CliError } from './cli-error.js';
import { cliLogger, type CliIo } from './cli-io.js';
import type { StoreOptions } from './store-options.js';

/** The configuration a command runs with, and the data directory (or database) it reads. */
export interface CliConfig {
  readonly config: PerformanceConfig;
  readonly dataDir: string;
  /** The PostgreSQL URL of the store (`--store`, the config's `store`, `$TOOLPERF_STORE`); the files under `dataDir` without it. */
  readonly storeUrl?: string | undefined;
  /** Where the reports are, as messages name it: the data directory, or the store's URL without its password. */
  readonly location: string;
}

/** The stored reports, open for reading (and for folding spans, for `serve`'s ingest). */
export interface OpenReports extends CliConfig {
  readonly reports: Reports;
  readonly store: ReportStore;
  /** Writes what is unwritten (`reports.shutdown()`) and closes the store (its connections). */
  close(): Promise<void>;
}

/** What a command sets beyond the config: `serve`'s thresholds. */
export type ReportsOverrides = Pick<CreateReportsOptions, 'idleAfterMs' | 'endIdleAfterMs'>;

/** Loads `--config` (else `$TOOLPERF_CONFIG`, else `./toolperf.json`) with environment overrides; `--data-dir` and `--store` win. */
export async function loadCliConfig(options: StoreOptions, io: CliIo): Promise<CliConfig> {
  const config = await loadConfig({ file: options.config, cwd: io.cwd, env: io.env, logger: cliLogger(io) });
  const dataDir = resolve(io.cwd, options.dataDir ?? config.dataDir ?? defaultDataDir());
  // Checked here rather than by the option parser, whose message would quote the URL, password and all.
  if (options.store !== undefined && !isPostgresUrl(options.store)) throw new CliError(`--store ${redactStoreUrl(options.store)}: expected a postgres:// or postgresql:// URL`);
  const storeUrl = options.store ?? config.store;
  return { config, dataDir, storeUrl, location: storeUrl === undefined ? dataDir : redactStoreUrl(storeUrl) };
}

/** `read`: the command only reads, and nothing in the data directory is written, moved or removed. */
export type ReportsMode = 'read' | 'write';

/**
 * The reports in the data directory, without a tracker: no tracer, OTLP exporter or Prometheus
 * endpoint is started from the user's config (one would take the agent's port), and the files
 * are what is read whatever `saveReports` says. Opened `read`, a corrupt report is reported with
 * how to set it aside, and left where it is.
 */
export function openReports(cli: CliConfig, io: CliIo, mode: ReportsMode = 'write', overrides: ReportsOverrides = {}): OpenReports {
  const { config, dataDir, storeUrl } = cli;
  const logger = cliLogger(io);
  const store = openStore({ url: storeUrl, dataDir, readOnly: mode === 'read' }, logger);
  const reports = withAlertsChecked(() => createReports({
    store,
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
  // The reports do not own a store handed to them: `close` closes both.
  const close = () => reports.shutdown().finally(() => store.close?.());
  return { ...cli, reports, store, close };
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
