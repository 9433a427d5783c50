import { metrics, type Meter, type MeterProvider, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { MetricReader, ViewOptions } from '@opentelemetry/sdk-metrics';
import type { BasicTracerProvider, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { PerformanceConfig } from '../config/schema.js';
import type { FailureLog, Logger } from '../util/logger.js';
import { VERSION } from '../util/version.js';
import { ensureContextManager } from './context-manager.js';
import { createOtlpPipeline, otlpFailureKey, withDeadline, type OtlpPipeline, type StoreMark } from './otlp/otlp-pipeline.js';

export type { StoreMark } from './otlp/otlp-pipeline.js';
import { resolveOtlpSettings, resolveResourceAttributes } from './otlp/otlp-settings.js';
import { PrometheusEndpoint } from './prometheus/prometheus-endpoint.js';
import { resources, sdkMetrics, sdkTrace } from './sdk.js';
import * as semconv from './semconv.js';
import { warmUpSdk } from './warm-up-sdk.js';

export interface HostProviders {
  /** The host application's tracer provider; default: one built here. */
  readonly tracerProvider?: TracerProvider;
  /** The host's meter provider; default: one built here when there is a reader, else the global one. */
  readonly meterProvider?: MeterProvider;
  /** Readers for the meter provider built here. */
  readonly metricReaders?: MetricReader[];
}

export interface TelemetryOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly failures: FailureLog;
  /** This package's own span processors (the reports' exporter), for the provider built here. */
  readonly spanProcessors: readonly SpanProcessor[];
  /** Called before the Prometheus endpoint collects: records held back must be in the scrape. */
  readonly beforeCollect: () => void;
  /** Marks the spans that leave over OTLP with the store their calls are folded into (see `StoreMark`). */
  readonly storeMark?: StoreMark | undefined;
}

/** The OpenTelemetry side of a tracker: where spans and metric points go, and how they leave. */
export interface Telemetry {
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** Hands the spans a host provider batches to its processors (the reports among them). */
  flushSpans(): Promise<void>;
  /** Sends what OTLP queued, waiting for the network at most the export timeout + 1 s. */
  flush(): Promise<void>;
  /** Sends what is queued (same bound) and releases the providers, readers and endpoint built here. */
  shutdown(): Promise<void>;
  /** The Prometheus scrape URL once its endpoint listens. */
  scrapeUrl(): Promise<string | undefined>;
}

/**
 * Sets up the SDK for a tracker, as `NodeSDK` does apart from instrumentations: the context
 * manager, the resource, a tracer provider (unless the host has one) with the given processors
 * and OTLP, a meter provider with the OTLP and Prometheus readers and the series limits. The SDK
 * packages load here, on first use, never for a disabled tracker.
 */
export function createTelemetry(config: PerformanceConfig, host: HostProviders, options: TelemetryOptions): Telemetry {
  const { env, logger, failures } = options;
  ensureContextManager();
  warmUpSdk();
  const otlpSettings = config.otlp.enabled ? resolveOtlpSettings(config, env) : undefined;
  const networkDeadlineMs = (otlpSettings?.timeoutMs ?? 0) + 1000;
  const otlp: OtlpPipeline | undefined = otlpSettings && createOtlpPipeline(otlpSettings, failures, logger, options.storeMark);
  // Under the host's meter provider the endpoint would have nothing to serve: not started (said below).
  const prometheus =
    config.prometheus.enabled && host.meterProvider === undefined
      ? new PrometheusEndpoint({
          host: config.prometheus.host,
          port: config.prometheus.port,
          maxSeries: config.metrics.maxSeries,
          seriesTtlMs: config.metrics.seriesTtlMs,
          beforeCollect: options.beforeCollect,
          failures,
        })
      : undefined;
  const resource = resources().defaultResource().merge(resources().resourceFromAttributes(resolveResourceAttributes(config, env)));

  if (host.tracerProvider && otlp) {
    logger.warn("performance.otlp: spans go to the host's tracerProvider, so they are not sent over OTLP by toolperf; add an OTLP exporter to that provider");
  }
  const ownedTracerProvider: BasicTracerProvider | undefined = host.tracerProvider
    ? undefined
    : new (sdkTrace().BasicTracerProvider)({ resource, spanProcessors: [...options.spanProcessors, ...(otlp ? [otlp.spanProcessor] : [])] });
  const tracerProvider = host.tracerProvider ?? (ownedTracerProvider as BasicTracerProvider);

  const readers = [...(host.metricReaders ?? []), ...(otlp ? [otlp.metricReader] : []), ...(prometheus ? [prometheus.reader] : [])];
  if (host.meterProvider && (otlp || config.prometheus.enabled)) {
    logger.warn("performance.otlp/prometheus: metrics go to the host's meterProvider, so toolperf adds no reader of its own; add them to that provider");
  }
  const ownedMeterProvider =
    host.meterProvider === undefined && readers.length > 0
      ? new (sdkMetrics().MeterProvider)({ resource, readers, views: seriesLimits(config.metrics.maxSeries) })
      : undefined;
  const meterProvider = host.meterProvider ?? ownedMeterProvider ?? metrics.getMeterProvider();

  /** A failed or late OTLP flush; quiet while the exporters' own failure line stands for it. */
  const reportNetwork = (message: string, error?: unknown): void => {
    if (failures.failures(otlpFailureKey('spans')) + failures.failures(otlpFailureKey('metrics')) > 0) return;
    failures.fail('otlp flush', message, error);
  };
  let shutdownOnce: Promise<void> | undefined;

  return {
    tracer: tracerProvider.getTracer(semconv.INSTRUMENTATION_SCOPE, VERSION),
    meter: meterProvider.getMeter(semconv.INSTRUMENTATION_SCOPE, VERSION),
    async flushSpans() {
      if (ownedTracerProvider) return;
      await (tracerProvider as TracerProvider & { forceFlush?: () => Promise<void> }).forceFlush?.();
    },
    async flush() {
      if (!otlp) return;
      const network = Promise.all([otlp.spanProcessor.forceFlush(), otlp.metricReader.forceFlush()]);
      await withDeadline(network, networkDeadlineMs, 'flushing OTLP', reportNetwork);
    },
    shutdown() {
      shutdownOnce ??= (async () => {
        // Shutting the providers down sends what OTLP queued; a collector that is down must not hold
        // the process (SIGTERM waits for this), so the network part has a deadline.
        const providers = Promise.all([ownedTracerProvider?.shutdown(), ownedMeterProvider?.shutdown()]);
        await Promise.all([
          otlp ? withDeadline(providers, networkDeadlineMs, 'sending queued telemetry over OTLP at shutdown', reportNetwork) : providers,
          prometheus?.shutdown(),
        ]);
      })();
      return shutdownOnce;
    },
    scrapeUrl: () => prometheus?.url() ?? Promise.resolve(undefined),
  };
}

/** The SDK's cardinality limit on each tool metric: past it, new label sets share one overflow series. */
function seriesLimits(maxSeries: number): ViewOptions[] {
  return [semconv.METRIC_TOOL_DURATION, semconv.METRIC_TOOL_CALLS].map((instrumentName) => ({
    instrumentName,
    meterName: semconv.INSTRUMENTATION_SCOPE,
    aggregationCardinalityLimit: maxSeries,
  }));
}
