/** createPerformance: one file because it is where config, telemetry, reports, alerts, fingerprints and exit hooks are composed, and reads best whole. */
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { isSdkDisabled } from './config/env.js';
import { CONFIG_KEYS, resolveConfig, type PerformanceConfig, type PerformanceConfigInput } from './config/schema.js';
import { createReports, exitHooksOf, storeIdentityOf, whenStoreIdentified, type Reports } from './reports/reports.js';
import { keyedFingerprinter } from './reports/argument-fingerprints.js';
import { AlertOptionsError, resolveAlerts, type AlertsOptions } from './reports/alerts/alert-rules.js';
import type { ListedAlert } from './reports/alerts/alert-text.js';
import { ConfigError } from './config/errors.js';
import { warmUpFold } from './reports/session-aggregate.js';
import type { SessionReportExporter } from './reports/session-report-exporter.js';
import { InMemoryReportStore } from './storage/memory-store.js';
import type { ReportStore } from './storage/report-store.js';
import { createTelemetry, type Telemetry } from './telemetry/create-telemetry.js';
import type { DeferredToolMetrics } from './tracking/deferred-tool-metrics.js';
import { withSession } from './tracking/session-context.js';
import { createToolMetrics } from './tracking/tool-instruments.js';
import { startToolCall, UNTRACKED_CALL, type StartCallOptions, type ToolCall } from './tracking/tool-call.js';
import type { Tool, ToolArgs, WrapToolOptions } from './tracking/tool-types.js';
import type { TrackingRuntime } from './tracking/tracking-runtime.js';
import { assertTool, instrumentTool } from './tracking/wrap-tool.js';
import { consoleLogger, FailureLog, type Logger } from './util/logger.js';
import { installProcessHooks } from './util/process-hooks.js';
import { assertValidSessionId } from './util/session-id.js';

/** The `performance` config block, plus what only code can pass. */
export interface PerformanceOptions extends Omit<PerformanceConfigInput, 'alerts' | 'store'> {
  /** Alert rules, webhook and cooldown: the config's `alerts` block (see README, "Alerts"). */
  readonly alerts?: AlertsOptions | PerformanceConfigInput['alerts'];
  /** Called with each alert transition (fired, resolved), beside the log line and the webhook. */
  readonly onAlert?: (alert: ListedAlert) => void;
  /**
   * The host application's provider. Reports see its spans only if it has the reports' exporter
   * as a span processor: make them with `createReports`, add `reports.exporter`, and pass `reports`.
   */
  readonly tracerProvider?: TracerProvider;
  /**
   * The host's meter provider. Default: one built with `metricReaders` (and the OTLP and
   * Prometheus readers when those are enabled), else the global one.
   */
  readonly meterProvider?: MeterProvider;
  readonly metricReaders?: MetricReader[];
  /** The reports to fold into. Default: made from this config (`createReports`) over `store`. */
  readonly reports?: Reports;
  /** Where reports go: a store, or a PostgreSQL URL (`postgres://…`; else the config's `store`, `$TOOLPERF_STORE`). Default: JSON files under `dataDir` (memory when `saveReports` is false). */
  readonly store?: ReportStore | string;
  readonly logger?: Logger;
  /**
   * Write every open session on SIGINT, SIGTERM, `beforeExit` and `exit`. Default true: unlike
   * spans, which a collector keeps, reports live in this process until written, and an agent
   * stopped with Ctrl-C would lose its session. Turn it off when the host shuts down itself
   * (and calls `shutdown()`).
   */
  readonly handleProcessExit?: boolean;
  /**
   * With `handleProcessExit`: ends, synchronously, the host's calls that will never end once the
   * process is going down (SIGINT, SIGTERM, `beforeExit`, `exit`), before the reports are written;
   * returns how many it ended. When a signal cuts some, the reports are written synchronously and
   * the process goes down at once, without the usual shutdown. For hosts that end calls from
   * events (the OpenCode plugin).
   */
  readonly endOpenCalls?: () => number;
  /** Environment for `TOOLPERF_*` and the standard `OTEL_*` variables; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface WrapToolsOptions extends Omit<WrapToolOptions, 'name' | 'sessionId' | 'callId'> {
  readonly sessionId?: string | ((...args: unknown[]) => string | undefined);
  readonly callId?: (...args: unknown[]) => string | undefined;
}

/** What `createPerformance` returns. Disabled, every method is cheap and `wrapTool` is the identity. */
export interface Performance {
  readonly enabled: boolean;
  readonly config: PerformanceConfig;
  /** The reports this tracker folds into: `getReport`, `getOperationStats`, `listSessions`, `clear`, ... */
  readonly reports: Reports;
  /** The same object as `reports`, under the name earlier versions used. */
  readonly api: Reports;
  /** The reports' span processor and exporter (`reports.exporter`). */
  readonly exporter: SessionReportExporter;
  /** Times every call of `tool`. Disabled, returns `tool` itself. */
  wrapTool<T extends Tool>(tool: T, options?: WrapToolOptions<ToolArgs<T>>): T;
  /** `wrapTool` for each entry, named by its key. Disabled, returns `tools` itself. */
  wrapTools<T extends Record<string, Tool>>(tools: T, options?: WrapToolsOptions): T;
  /**
   * Opens a call whose end the host reports (`succeed` or `fail`), for tools that run behind hooks
   * or events rather than a function to wrap. Disabled, returns a call that records nothing.
   */
  startCall(name: string, options?: StartCallOptions): ToolCall;
  /** Runs `fn` with `sessionId` as the session of the tracked calls inside it. */
  withSession<R>(sessionId: string, fn: () => R): R;
  /** Writes the session's final report (with `endedAt`) and frees its memory. */
  endSession(sessionId: string): Promise<void>;
  /** Writes every session with unwritten calls (and sends what OTLP has queued). */
  flush(): Promise<void>;
  /**
   * The Prometheus scrape URL (`http://127.0.0.1:9464/metrics` by default) once the endpoint
   * listens; undefined when `prometheus` is off or its port could not be taken (logged).
   */
  scrapeUrl(): Promise<string | undefined>;
  /** Writes every open session and releases what this tracker built. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Builds a tracker from a `performance` config block (see `loadConfig`) and options. Disabled (the
 * default), it loads no OpenTelemetry SDK and its reports are opened only when first used.
 *
 * @example
 * const perf = createPerformance({ enabled: true, dataDir: './.toolperf' });
 * const tools = perf.wrapTools({ read, grep, bash }, { sessionId: 'ses_1' });
 * await tools.read({ path: 'README.md' });
 * await perf.endSession('ses_1');
 * console.log(await perf.reports.getReport({ sessionId: 'ses_1' }));
 */
export function createPerformance(options: PerformanceOptions = {}): Performance {
  const env = options.env ?? process.env;
  const config = resolveConfig(pickConfig(options), { env });
  checkAlertsConfig(config);
  const logger = options.logger ?? consoleLogger;
  const openReports = (): Reports =>
    options.reports ??
    createReports({
      ...(typeof options.store === 'object' ? { store: options.store } : !config.saveReports ? { store: new InMemoryReportStore() } : config.store !== undefined ? { store: config.store } : {}),
      ...(config.dataDir !== undefined ? { dataDir: config.dataDir } : {}),
      maxMetrics: config.maxMetrics,
      writeIntervalMs: config.writeIntervalMs,
      sessionIdleTimeoutMs: config.sessionIdleTimeoutMs,
      recordErrorMessages: config.recordErrorMessages,
      alerts: config.alerts as AlertsOptions,
      ...(options.onAlert ? { onAlert: options.onAlert } : {}),
      logger,
    });
  if (!config.enabled || isSdkDisabled(env)) return disabledPerformance({ ...config, enabled: false }, openReports);
  return new EnabledPerformance(config, openReports(), options, logger);
}

function pickConfig(options: PerformanceOptions): PerformanceConfigInput {
  const picked: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) if (options[key] !== undefined && (key !== 'store' || typeof options.store === 'string')) picked[key] = options[key];
  return picked;
}

/** Checks a config's alert rules (the alerts check those); throws `ConfigError` naming each bad key and value. */
export function checkAlertsConfig(config: PerformanceConfig, source = 'options'): void {
  try {
    resolveAlerts(config.alerts as AlertsOptions, 'performance.alerts');
  } catch (error) {
    if (error instanceof AlertOptionsError) throw new ConfigError(source, error.problems);
    throw error;
  }
}

/** Tracks nothing; its reports (over the same store an enabled tracker would use) open on first use. */
function disabledPerformance(config: PerformanceConfig, openReports: () => Reports): Performance {
  let reports: Reports | undefined;
  const opened = (): Reports => (reports ??= openReports());
  return {
    enabled: false,
    config,
    get reports() {
      return opened();
    },
    get api() {
      return opened();
    },
    get exporter() {
      return opened().exporter;
    },
    wrapTool: (tool) => {
      assertTool(tool, 'wrapTool');
      return tool;
    },
    wrapTools: (tools) => tools,
    startCall: () => UNTRACKED_CALL,
    withSession,
    endSession: async (sessionId) => assertValidSessionId(sessionId),
    flush: () => reports?.flush() ?? Promise.resolve(),
    scrapeUrl: async () => undefined,
    shutdown: () => reports?.shutdown() ?? Promise.resolve(),
  };
}

class EnabledPerformance implements Performance {
  readonly enabled = true;
  readonly exporter: SessionReportExporter;
  private readonly runtime: Omit<TrackingRuntime, 'storeId'> & { storeId: string | undefined };
  private readonly toolMetrics: DeferredToolMetrics;
  private readonly telemetry: Telemetry;
  private readonly removeProcessHooks: (() => void) | undefined;
  private shutdownOnce: Promise<void> | undefined;

  constructor(
    readonly config: PerformanceConfig,
    readonly reports: Reports,
    options: PerformanceOptions,
    logger: Logger,
  ) {
    const failures = new FailureLog(logger);
    this.exporter = reports.exporter;
    const marksStore = options.tracerProvider === undefined && config.otlp.enabled;
    const identified = marksStore && storeIdentityOf(reports) === undefined ? whenStoreIdentified(reports)?.then((id) => (this.runtime.storeId = id)) : undefined;
    warmUpFold();
    this.telemetry = createTelemetry(config, options, {
      env: options.env ?? process.env,
      logger,
      failures,
      spanProcessors: [reports.exporter],
      beforeCollect: () => this.toolMetrics.flush(),
      storeMark: identified && { id: () => this.runtime.storeId, identified },
    });
    this.toolMetrics = createToolMetrics(this.telemetry.meter, failures);
    this.runtime = {
      tracer: this.telemetry.tracer,
      metrics: this.toolMetrics,
      includeSessionIdInMetrics: config.metrics.includeSessionId,
      captureContent: config.captureContent,
      maxContentLength: config.maxContentLength,
      failures,
      // Spans leaving over OTLP say which store their calls are folded into already (by this provider's `reports.exporter`), so a report server on it does not
      // count them again; a store that names itself once connected (PostgreSQL) marks later calls at their start, the OTLP export earlier ones (`storeMark`).
      storeId: marksStore ? storeIdentityOf(reports) : undefined,
      fingerprinter: config.fingerprintArguments ? keyedFingerprinter(reports, logger).fingerprinter : undefined,
    };
    const exit = exitHooksOf(reports);
    this.removeProcessHooks =
      options.handleProcessExit === false
        ? undefined
        : installProcessHooks(
            {
              flush: () => this.flush(),
              shutdown: () => this.shutdown(),
              flushSync: () => {
                this.toolMetrics.flush();
                exit?.flushSync();
              },
              hasUnwritten: () => exit?.hasUnwritten() ?? false,
              ...(options.endOpenCalls ? { endOpenCalls: options.endOpenCalls } : {}),
            },
            logger,
          );
  }

  get api(): Reports {
    return this.reports;
  }

  wrapTool<T extends Tool>(tool: T, options: WrapToolOptions<ToolArgs<T>> = {}): T {
    assertTool(tool, 'wrapTool');
    return instrumentTool(tool, options, this.runtime);
  }

  wrapTools<T extends Record<string, Tool>>(tools: T, options: WrapToolsOptions = {}): T {
    const wrapped: Record<string, Tool> = {};
    for (const [name, tool] of Object.entries(tools)) {
      assertTool(tool, `wrapTools: tools.${name}`);
      wrapped[name] = instrumentTool(tool, { ...options, name } as WrapToolOptions<ToolArgs<typeof tool>>, this.runtime);
    }
    return wrapped as T;
  }

  startCall(name: string, options: StartCallOptions = {}): ToolCall {
    return startToolCall(name, options, this.runtime);
  }

  withSession<R>(sessionId: string, fn: () => R): R {
    return withSession(sessionId, fn);
  }

  async endSession(sessionId: string): Promise<void> {
    assertValidSessionId(sessionId);
    await this.telemetry.flushSpans();
    await this.reports.endSession(sessionId);
  }

  /** Writes every session with unwritten calls, hands waiting metric records to the meter, sends what OTLP queued. */
  async flush(): Promise<void> {
    this.toolMetrics.flush();
    // A host provider may batch spans; they must reach the reports before those are written.
    await this.telemetry.flushSpans();
    await Promise.all([this.reports.flush(), this.telemetry.flush()]);
  }

  scrapeUrl(): Promise<string | undefined> {
    return this.telemetry.scrapeUrl();
  }

  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.shutdownNow();
    return this.shutdownOnce;
  }

  private async shutdownNow(): Promise<void> {
    this.toolMetrics.flush();
    await this.telemetry.flushSpans();
    // Under a host provider the host shuts its processors down; the reports still must be written.
    await Promise.all([this.telemetry.shutdown(), this.reports.shutdown()]);
    this.removeProcessHooks?.();
  }
}
