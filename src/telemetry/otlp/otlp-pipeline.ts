import type { ExportResult } from '@opentelemetry/core';
import type { OTLPMetricExporter as OTLPMetricExporterType } from '@opentelemetry/exporter-metrics-otlp-http';
import type { OTLPTraceExporter as OTLPTraceExporterType } from '@opentelemetry/exporter-trace-otlp-http';
import type { MetricReader, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { sdkMetrics, sdkTrace } from '../sdk.js';
import type { OtlpProtocol } from '../../config/schema.js';
import type { FailureLog, Logger } from '../../util/logger.js';
import type { OtlpSettings } from './otlp-settings.js';
import { requireLazily } from '../../util/require-lazily.js';
import { BoundedSpanProcessor } from './bounded-span-processor.js';
import { ATTR_TOOLPERF_STORE_ID } from '../semconv.js';

/** What OTLP streaming adds to the tracker's own providers. */
export interface OtlpPipeline {
  readonly spanProcessor: SpanProcessor;
  readonly metricReader: MetricReader;
}

/**
 * The store a tracker folds its own spans into, for a store that learns its identity when it
 * connects (PostgreSQL): spans exported without the mark (`toolperf.store.id`) get it, and an
 * export waits for the store to name itself (at most `MAX_MARK_WAIT_MS`), so that a report server
 * on the same store never folds a call the tracker folded already, however early it came.
 */
export interface StoreMark {
  readonly id: () => string | undefined;
  readonly identified: Promise<unknown>;
}

/** Longest an export waits for the store to name itself; past it the spans leave unmarked. */
const MAX_MARK_WAIT_MS = 5_000;

/** Spans handed to the batch processor at once (its default). */
const MAX_EXPORT_BATCH_SIZE = 512;

/** `ExportResultCode` of @opentelemetry/core. */
const EXPORT_SUCCESS = 0 satisfies ExportResult['code'];
const EXPORT_FAILED = 1 satisfies ExportResult['code'];

export function createOtlpPipeline(settings: OtlpSettings, failures: FailureLog, logger: Logger, storeMark?: StoreMark): OtlpPipeline {
  const { BatchSpanProcessor } = sdkTrace();
  const { PeriodicExportingMetricReader } = sdkMetrics();
  const exporter = createTraceExporter(settings);
  const traceExporter = new ReportingSpanExporter(storeMark ? new StoreMarkingExporter(exporter, storeMark, Math.min(MAX_MARK_WAIT_MS, settings.timeoutMs / 2)) : exporter, settings.tracesUrl, failures, logger);
  const spanProcessor = new BoundedSpanProcessor(
    new BatchSpanProcessor(traceExporter, {
      // Room for what the gate lets through; the gate is what bounds and counts.
      maxQueueSize: settings.maxQueueSize + MAX_EXPORT_BATCH_SIZE,
      maxExportBatchSize: Math.min(MAX_EXPORT_BATCH_SIZE, settings.maxQueueSize),
      exportTimeoutMillis: settings.timeoutMs,
    }),
    settings.maxQueueSize,
    logger,
  );
  traceExporter.onSettled = (count) => spanProcessor.settled(count);
  const metricReader = new PeriodicExportingMetricReader({
    exporter: new ReportingMetricExporter(createMetricExporter(settings), settings.metricsUrl, failures, logger),
    exportIntervalMillis: settings.metricsIntervalMs,
    exportTimeoutMillis: Math.min(settings.timeoutMs, settings.metricsIntervalMs),
  });
  return { spanProcessor, metricReader };
}

function createTraceExporter(settings: OtlpSettings): SpanExporter {
  const module = settings.tracesProtocol === 'http/json' ? '@opentelemetry/exporter-trace-otlp-http' : '@opentelemetry/exporter-trace-otlp-proto';
  const { OTLPTraceExporter } = requireLazily<{ OTLPTraceExporter: typeof OTLPTraceExporterType }>(module);
  return new OTLPTraceExporter({ url: settings.tracesUrl, headers: settings.tracesHeaders, timeoutMillis: settings.timeoutMs });
}

function createMetricExporter(settings: OtlpSettings): PushMetricExporter {
  const module = metricExporterModule(settings.metricsProtocol);
  const { OTLPMetricExporter } = requireLazily<{ OTLPMetricExporter: typeof OTLPMetricExporterType }>(module);
  return new OTLPMetricExporter({
    url: settings.metricsUrl,
    headers: settings.metricsHeaders,
    timeoutMillis: settings.timeoutMs,
    temporalityPreference: settings.metricsTemporality === 'delta' ? sdkMetrics().AggregationTemporality.DELTA : sdkMetrics().AggregationTemporality.CUMULATIVE,
  });
}

function metricExporterModule(protocol: OtlpProtocol): string {
  return protocol === 'http/json' ? '@opentelemetry/exporter-metrics-otlp-http' : '@opentelemetry/exporter-metrics-otlp-proto';
}

/** The `FailureLog` key of a signal's send failures. */
export function otlpFailureKey(what: 'spans' | 'metrics'): string {
  return `otlp ${what}`;
}

/** Tells when sending starts failing (once) and when it works again; the result passes through. */
class ExportOutcomes {
  constructor(
    private readonly what: 'spans' | 'metrics',
    private readonly url: string,
    private readonly failures: FailureLog,
    private readonly logger: Logger,
  ) {}

  record(result: ExportResult): void {
    const key = otlpFailureKey(this.what);
    if (result.code === EXPORT_SUCCESS) {
      const failed = this.failures.failures(key);
      if (failed > 0) this.logger.warn(`sending ${this.what} to ${this.url} works again (${failed} exports had failed)`);
      this.failures.recover(key);
      return;
    }
    this.failures.fail(key, `could not send ${this.what} to ${this.url} (tool calls are unaffected; will retry with new data)`, result.error);
  }
}

/** Marks the spans it exports with the store's id, waiting (bounded) for the store to name itself first. */
class StoreMarkingExporter implements SpanExporter {
  private waited = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly mark: StoreMark,
    private readonly maxWaitMs: number,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.mark.id() !== undefined || this.waited) {
      this.inner.export(this.marked(spans), resultCallback);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.maxWaitMs)));
    void Promise.race([this.mark.identified, waited]).then(() => {
      clearTimeout(timer);
      this.waited = true;
      try {
        this.inner.export(this.marked(spans), resultCallback);
      } catch (error) {
        resultCallback({ code: EXPORT_FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  private marked(spans: ReadableSpan[]): ReadableSpan[] {
    const id = this.mark.id();
    if (id === undefined) return spans;
    // A span's attributes are a plain object, read by the exporter's serializer below.
    for (const span of spans) if (span.attributes[ATTR_TOOLPERF_STORE_ID] === undefined) (span.attributes as Record<string, unknown>)[ATTR_TOOLPERF_STORE_ID] = id;
    return spans;
  }
}

/** The OTLP span exporter, reporting failures once per streak and telling the gate what left the queue. */
class ReportingSpanExporter implements SpanExporter {
  private readonly outcomes: ExportOutcomes;
  /** Called with the number of spans an export finished with, success or not. */
  onSettled: (count: number) => void = () => {};

  constructor(
    private readonly inner: SpanExporter,
    url: string,
    failures: FailureLog,
    logger: Logger,
  ) {
    this.outcomes = new ExportOutcomes('spans', url, failures, logger);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let settled = false;
    const settle = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      this.onSettled(spans.length);
      this.outcomes.record(result);
      resultCallback(result);
    };
    try {
      this.inner.export(spans, settle);
    } catch (error) {
      settle({ code: EXPORT_FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

class ReportingMetricExporter implements PushMetricExporter {
  private readonly outcomes: ExportOutcomes;

  constructor(
    private readonly inner: PushMetricExporter,
    url: string,
    failures: FailureLog,
    logger: Logger,
  ) {
    this.outcomes = new ExportOutcomes('metrics', url, failures, logger);
    if (inner.selectAggregationTemporality) this.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
    if (inner.selectAggregation) this.selectAggregation = inner.selectAggregation.bind(inner);
  }

  selectAggregationTemporality?: PushMetricExporter['selectAggregationTemporality'];
  selectAggregation?: PushMetricExporter['selectAggregation'];

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.inner.export(metrics, (result) => {
      this.outcomes.record(result);
      resultCallback(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/**
 * Waits for `work` at most `ms`. Past that, or if it fails, `report` is told. Send failures have
 * been logged already by the exporters, so `report` may stay quiet then.
 */
export async function withDeadline(work: Promise<unknown>, ms: number, what: string, report: (message: string, error?: unknown) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms).unref();
  });
  try {
    const outcome = await Promise.race([work.then(() => 'done' as const), deadline]);
    if (outcome === 'late') report(`${what} did not finish within ${ms} ms; gave up waiting`);
  } catch (error) {
    report(`${what} failed`, error);
  } finally {
    clearTimeout(timer);
  }
}
