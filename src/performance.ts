import { metrics, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { MeterProvider as SdkMeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { SessionReportExporter } from '../exporters/session-report-exporter.js';
import { performanceConfigSchema, resolveConfig, type PerformanceConfig, type PerformanceConfigInput } from './config.js';
import { isSdkDisabled } from './config-env.js';
import { ensureContextManager } from './context-manager.js';
import { defaultDataDir } from './data-dir.js';
import { DeferredHistogram } from './deferred-histogram.js';
import { FileReportStore } from './file-report-store.js';
import { consoleLogger, FailureLog, type Logger } from './logger.js';
import { InMemoryReportStore } from './memory-report-store.js';
import { PerformanceAPI } from './performance-api.js';
import { installProcessHooks } from './process-hooks.js';
import type { ReportStore } from './report-store.js';
import * as semconv from './semconv.js';
import { withSession } from './session-context.js';
import { assertValidSessionId } from './session-id.js';
import { assertTool, instrumentTool, type TrackingRuntime } from './tool-wrapper.js';
import type { Tool, ToolArgs, WrapToolOptions } from './tool-types.js';
import { VERSION } from './version.js';
import { warmUp } from './warm-up.js';

/** The `performance` config block, plus what only code can pass. */
export interface PerformanceOptions extends PerformanceConfigInput {
  /**
   * The host application's provider. Reports see its spans only if it has the tracker's exporter
   * as a span processor: build a `SessionReportExporter`, add it, and pass it as `exporter`.
   */
  readonly tracerProvider?: TracerProvider;
  /** The report exporter to use (with `tracerProvider`); default: one built from this config. */
  readonly exporter?: SessionReportExporter;
  /** The host's meter provider. Default: one built with `metricReaders`, else the global one. */
  readonly meterProvider?: MeterProvider;
  readonly metricReaders?: MetricReader[];
  /** Where reports go. Default: JSON files under `dataDir` (or memory when `saveReports` is false). */
  readonly store?: ReportStore;
  readonly logger?: Logger;
  /** Write every open session on SIGINT, SIGTERM, `beforeExit` and `exit`. Default true. */
  readonly handleProcessExit?: boolean;
  /** Environment for `TOOLPERF_*` and `OTEL_SDK_DISABLED`; `process.env` by default. */
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
  readonly api: PerformanceAPI;
  /** Folds spans into the reports `api` answers from. */
  readonly exporter: SessionReportExporter;
  /** Times every call of `tool`. Disabled, returns `tool` itself. */
  wrapTool<T extends Tool>(tool: T, options?: WrapToolOptions<ToolArgs<T>>): T;
  /** `wrapTool` for each entry, named by its key. Disabled, returns `tools` itself. */
  wrapTools<T extends Record<string, Tool>>(tools: T, options?: WrapToolsOptions): T;
  /** Runs `fn` with `sessionId` as the session of the tracked calls inside it. */
  withSession<R>(sessionId: string, fn: () => R): R;
  /** Writes the session's final report (with `endedAt`) and frees its memory. */
  endSession(sessionId: string): Promise<void>;
  /** Writes every session with unwritten calls. */
  flush(): Promise<void>;
  /** Writes every open session and releases what this tracker built. Idempotent. */
  shutdown(): Promise<void>;
}

const CONFIG_KEYS = Object.keys(performanceConfigSchema.shape) as (keyof PerformanceConfigInput)[];

/**
 * Builds a tracker from a `performance` config block (see `loadConfig`) and options.
 *
 * @example
 * const perf = createPerformance({ enabled: true, dataDir: './.toolperf' });
 * const tools = perf.wrapTools({ read, grep, bash }, { sessionId: 'ses_1' });
 * await tools.read({ path: 'README.md' });
 * await perf.endSession('ses_1');
 * console.log(await perf.api.getReport({ sessionId: 'ses_1' }));
 */
export function createPerformance(options: PerformanceOptions = {}): Performance {
  const env = options.env ?? process.env;
  const config = resolveConfig(pickConfig(options), { env });
  const logger = options.logger ?? consoleLogger;
  const store =
    options.store ??
    (config.saveReports ? new FileReportStore(config.dataDir ?? defaultDataDir(), logger) : new InMemoryReportStore());
  const exporter = options.exporter ?? new SessionReportExporter({
    store,
    maxMetrics: config.maxMetrics,
    writeIntervalMs: config.writeIntervalMs,
    sessionIdleTimeoutMs: config.sessionIdleTimeoutMs,
    logger,
  });
  const api = new PerformanceAPI(exporter.sessions);
  if (!config.enabled || isSdkDisabled(env)) return disabledPerformance({ ...config, enabled: false }, api, exporter);
  return new EnabledPerformance(config, api, exporter, options, logger);
}

function pickConfig(options: PerformanceOptions): PerformanceConfigInput {
  const picked: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) if (options[key] !== undefined) picked[key] = options[key];
  return picked;
}

function disabledPerformance(config: PerformanceConfig, api: PerformanceAPI, exporter: SessionReportExporter): Performance {
  return {
    enabled: false,
    config,
    api,
    exporter,
    wrapTool: (tool) => {
      assertTool(tool, 'wrapTool');
      return tool;
    },
    wrapTools: (tools) => tools,
    withSession,
    endSession: async (sessionId) => assertValidSessionId(sessionId),
    flush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
}

class EnabledPerformance implements Performance {
  readonly enabled = true;
  private readonly runtime: TrackingRuntime;
  private readonly histogram: DeferredHistogram;
  private readonly tracerProvider: TracerProvider;
  private readonly ownedTracerProvider: BasicTracerProvider | undefined;
  private readonly ownedMeterProvider: SdkMeterProvider | undefined;
  private readonly removeProcessHooks: (() => void) | undefined;
  private shutdownOnce: Promise<void> | undefined;

  constructor(
    readonly config: PerformanceConfig,
    readonly api: PerformanceAPI,
    readonly exporter: SessionReportExporter,
    options: PerformanceOptions,
    logger: Logger,
  ) {
    ensureContextManager();
    warmUp();
    this.ownedTracerProvider = options.tracerProvider ? undefined : new BasicTracerProvider({ spanProcessors: [exporter] });
    this.tracerProvider = options.tracerProvider ?? (this.ownedTracerProvider as BasicTracerProvider);
    this.ownedMeterProvider =
      options.meterProvider === undefined && options.metricReaders?.length
        ? new SdkMeterProvider({ readers: options.metricReaders })
        : undefined;
    const meterProvider = options.meterProvider ?? this.ownedMeterProvider ?? metrics.getMeterProvider();
    const failures = new FailureLog(logger);
    this.histogram = new DeferredHistogram(
      meterProvider.getMeter(semconv.INSTRUMENTATION_SCOPE, VERSION).createHistogram(semconv.METRIC_TOOL_DURATION, {
        description: 'Duration of tool calls.',
        unit: semconv.METRIC_TOOL_DURATION_UNIT,
        advice: { explicitBucketBoundaries: semconv.METRIC_TOOL_DURATION_BUCKETS },
      }),
      (error) => failures.fail('metrics', 'could not record tool durations', error),
    );
    this.runtime = {
      tracer: this.tracerProvider.getTracer(semconv.INSTRUMENTATION_SCOPE, VERSION),
      histogram: this.histogram,
      includeSessionIdInMetrics: config.metrics.includeSessionId,
      captureContent: config.captureContent,
      maxContentLength: config.maxContentLength,
      failures,
    };
    const { sessions } = exporter;
    this.removeProcessHooks =
      options.handleProcessExit === false
        ? undefined
        : installProcessHooks(
            {
              flush: () => this.flush(),
              shutdown: () => this.shutdown(),
              flushSync: () => {
                this.histogram.flush();
                sessions.flushSync();
              },
              hasUnwritten: () => sessions.hasUnwritten(),
            },
            logger,
          );
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

  withSession<R>(sessionId: string, fn: () => R): R {
    return withSession(sessionId, fn);
  }

  async endSession(sessionId: string): Promise<void> {
    assertValidSessionId(sessionId);
    await this.flushHostProvider();
    await this.exporter.sessions.endSession(sessionId);
  }

  /** Writes every session with unwritten calls and hands waiting duration records to the meter. */
  async flush(): Promise<void> {
    this.histogram.flush();
    await this.flushHostProvider();
    await this.exporter.forceFlush();
  }

  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.shutdownNow();
    return this.shutdownOnce;
  }

  private async shutdownNow(): Promise<void> {
    this.histogram.flush();
    await this.flushHostProvider();
    await Promise.all([
      this.ownedTracerProvider?.shutdown(),
      this.ownedMeterProvider?.shutdown(),
      // Under a host provider the host shuts its processors down; ours still must write.
      this.exporter.shutdown(),
    ]);
    this.removeProcessHooks?.();
  }

  /** A host provider may batch spans; they must reach the exporter before a report is final. */
  private async flushHostProvider(): Promise<void> {
    if (this.ownedTracerProvider) return;
    const provider = this.tracerProvider as TracerProvider & { forceFlush?: () => Promise<void> };
    await provider.forceFlush?.();
  }
}
