import { metrics, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { MeterProvider as SdkMeterProvider, type MetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SessionReportExporter } from './reports/session-report-exporter.js';
import { performanceConfigSchema, resolveConfig, type PerformanceConfig, type PerformanceConfigInput } from './config/schema.js';
import { isSdkDisabled } from './config/env.js';
import { ensureContextManager } from './telemetry/context-manager.js';
import { defaultDataDir } from './storage/data-dir.js';
import { DeferredToolMetrics } from './tracking/deferred-tool-metrics.js';
import { FileReportStore } from './storage/file-store.js';
import { consoleLogger, FailureLog, type Logger } from './util/logger.js';
import { InMemoryReportStore } from './storage/memory-store.js';
import { createOtlpPipeline, otlpFailureKey, withDeadline, type OtlpPipeline } from './telemetry/otlp/otlp-pipeline.js';
import { resolveOtlpSettings, resolveResourceAttributes } from './telemetry/otlp/otlp-settings.js';
import { PerformanceAPI } from './reports/reports.js';
import { PrometheusEndpoint } from './telemetry/prometheus/prometheus-endpoint.js';
import { installProcessHooks } from './util/process-hooks.js';
import type { ReportStore } from './storage/report-store.js';
import * as semconv from './telemetry/semconv.js';
import { withSession } from './tracking/session-context.js';
import { assertValidSessionId } from './util/session-id.js';
import { startToolCall, UNTRACKED_CALL, type StartCallOptions, type ToolCall } from './tracking/tool-call.js';
import type { TrackingRuntime } from './tracking/tracking-runtime.js';
import { assertTool, instrumentTool } from './tracking/wrap-tool.js';
import type { Tool, ToolArgs, WrapToolOptions } from './tracking/tool-types.js';
import { VERSION } from './util/version.js';
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
  /**
   * The host's meter provider. Default: one built with `metricReaders` (and the OTLP and
   * Prometheus readers when those are enabled), else the global one.
   */
  readonly meterProvider?: MeterProvider;
  readonly metricReaders?: MetricReader[];
  /** Where reports go. Default: JSON files under `dataDir` (or memory when `saveReports` is false). */
  readonly store?: ReportStore;
  readonly logger?: Logger;
  /** Write every open session on SIGINT, SIGTERM, `beforeExit` and `exit`. Default true. */
  readonly handleProcessExit?: boolean;
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
  readonly api: PerformanceAPI;
  /** Folds spans into the reports `api` answers from. */
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

/** The SDK's cardinality limit on each tool metric: past it, new label sets share one overflow series. */
function seriesLimits(maxSeries: number): ViewOptions[] {
  return [semconv.METRIC_TOOL_DURATION, semconv.METRIC_TOOL_CALLS].map((instrumentName) => ({
    instrumentName,
    meterName: semconv.INSTRUMENTATION_SCOPE,
    aggregationCardinalityLimit: maxSeries,
  }));
}

function trackerResource(config: PerformanceConfig, env: NodeJS.ProcessEnv): Resource {
  return defaultResource().merge(resourceFromAttributes(resolveResourceAttributes(config, env)));
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
    startCall: () => UNTRACKED_CALL,
    withSession,
    endSession: async (sessionId) => assertValidSessionId(sessionId),
    flush: () => exporter.forceFlush(),
    scrapeUrl: async () => undefined,
    shutdown: () => exporter.shutdown(),
  };
}

class EnabledPerformance implements Performance {
  readonly enabled = true;
  private readonly runtime: TrackingRuntime;
  private readonly toolMetrics: DeferredToolMetrics;
  private readonly tracerProvider: TracerProvider;
  private readonly ownedTracerProvider: BasicTracerProvider | undefined;
  private readonly ownedMeterProvider: SdkMeterProvider | undefined;
  private readonly otlp: OtlpPipeline | undefined;
  private readonly prometheus: PrometheusEndpoint | undefined;
  /** Longest wait for the network when flushing or shutting down. */
  private readonly networkDeadlineMs: number;
  private readonly removeProcessHooks: (() => void) | undefined;
  private readonly failures: FailureLog;
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
    this.failures = new FailureLog(logger);
    const env = options.env ?? process.env;
    const failures = this.failures;
    const otlpSettings = config.otlp.enabled ? resolveOtlpSettings(config, env) : undefined;
    this.networkDeadlineMs = (otlpSettings?.timeoutMs ?? 0) + 1000;
    this.otlp = otlpSettings && createOtlpPipeline(otlpSettings, failures, logger);
    // Under the host's meter provider the endpoint would have nothing to serve: not started (a line says so below).
    this.prometheus = config.prometheus.enabled && options.meterProvider === undefined
      ? new PrometheusEndpoint({
          host: config.prometheus.host,
          port: config.prometheus.port,
          maxSeries: config.metrics.maxSeries,
          seriesTtlMs: config.metrics.seriesTtlMs,
          beforeCollect: () => this.toolMetrics.flush(),
          failures,
        })
      : undefined;
    const resource = trackerResource(config, env);

    const spanProcessors: SpanProcessor[] = [exporter, ...(this.otlp ? [this.otlp.spanProcessor] : [])];
    if (options.tracerProvider && this.otlp) {
      logger.warn('performance.otlp: spans go to the host\'s tracerProvider, so they are not sent over OTLP by toolperf; add an OTLP exporter to that provider');
    }
    this.ownedTracerProvider = options.tracerProvider ? undefined : new BasicTracerProvider({ resource, spanProcessors });
    this.tracerProvider = options.tracerProvider ?? (this.ownedTracerProvider as BasicTracerProvider);

    const readers = [
      ...(options.metricReaders ?? []),
      ...(this.otlp ? [this.otlp.metricReader] : []),
      ...(this.prometheus ? [this.prometheus.reader] : []),
    ];
    if (options.meterProvider && (this.otlp || config.prometheus.enabled)) {
      logger.warn('performance.otlp/prometheus: metrics go to the host\'s meterProvider, so toolperf adds no reader of its own; add them to that provider');
    }
    this.ownedMeterProvider =
      options.meterProvider === undefined && readers.length > 0
        ? new SdkMeterProvider({ resource, readers, views: seriesLimits(config.metrics.maxSeries) })
        : undefined;
    const meterProvider = options.meterProvider ?? this.ownedMeterProvider ?? metrics.getMeterProvider();
    const meter = meterProvider.getMeter(semconv.INSTRUMENTATION_SCOPE, VERSION);
    this.toolMetrics = new DeferredToolMetrics(
      meter.createHistogram(semconv.METRIC_TOOL_DURATION, {
        description: 'Duration of tool calls.',
        unit: semconv.METRIC_TOOL_DURATION_UNIT,
        advice: { explicitBucketBoundaries: semconv.METRIC_TOOL_DURATION_BUCKETS },
      }),
      meter.createCounter(semconv.METRIC_TOOL_CALLS, {
        description: 'Tool calls, by tool and status.',
        unit: semconv.METRIC_TOOL_CALLS_UNIT,
      }),
      (error) => failures.fail('metrics', 'could not record tool metrics', error),
    );
    this.runtime = {
      tracer: this.tracerProvider.getTracer(semconv.INSTRUMENTATION_SCOPE, VERSION),
      metrics: this.toolMetrics,
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
                this.toolMetrics.flush();
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

  startCall(name: string, options: StartCallOptions = {}): ToolCall {
    return startToolCall(name, options, this.runtime);
  }

  withSession<R>(sessionId: string, fn: () => R): R {
    return withSession(sessionId, fn);
  }

  async endSession(sessionId: string): Promise<void> {
    assertValidSessionId(sessionId);
    await this.flushHostProvider();
    await this.exporter.sessions.endSession(sessionId);
  }

  /** Writes every session with unwritten calls, hands waiting metric records to the meter, sends what OTLP queued. */
  async flush(): Promise<void> {
    this.toolMetrics.flush();
    await this.flushHostProvider();
    const network = this.otlp ? Promise.all([this.otlp.spanProcessor.forceFlush(), this.otlp.metricReader.forceFlush()]) : undefined;
    await Promise.all([
      this.exporter.forceFlush(),
      network && withDeadline(network, this.networkDeadlineMs, 'flushing OTLP', this.reportNetwork),
    ]);
  }

  scrapeUrl(): Promise<string | undefined> {
    return this.prometheus?.url() ?? Promise.resolve(undefined);
  }

  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.shutdownNow();
    return this.shutdownOnce;
  }

  private async shutdownNow(): Promise<void> {
    this.toolMetrics.flush();
    await this.flushHostProvider();
    // The providers' shutdown sends what OTLP has queued; a collector that is down must not hold
    // the process (SIGTERM waits for this), so the network part has a deadline.
    const providers = Promise.all([this.ownedTracerProvider?.shutdown(), this.ownedMeterProvider?.shutdown()]);
    await Promise.all([
      this.otlp ? withDeadline(providers, this.networkDeadlineMs, 'sending queued telemetry over OTLP at shutdown', this.reportNetwork) : providers,
      // Under a host provider the host shuts its processors down; ours still must write.
      this.exporter.shutdown(),
      this.prometheus?.shutdown(),
    ]);
    this.removeProcessHooks?.();
  }

  /** A failed or late OTLP flush; quiet while the exporters' own failure line stands for it. */
  private readonly reportNetwork = (message: string, error?: unknown): void => {
    if (this.failures.failures(otlpFailureKey('spans')) + this.failures.failures(otlpFailureKey('metrics')) > 0) return;
    this.failures.fail('otlp flush', message, error);
  };

  /** A host provider may batch spans; they must reach the exporter before a report is final. */
  private async flushHostProvider(): Promise<void> {
    if (this.ownedTracerProvider) return;
    const provider = this.tracerProvider as TracerProvider & { forceFlush?: () => Promise<void> };
    await provider.forceFlush?.();
  }
}
