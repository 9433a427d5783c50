import { AggregationTemporality, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createPerformance, InMemoryReportStore, type Logger, type Performance, type PerformanceOptions } from '../../src/index.js';

/** A metric reader we collect from on demand. */
export class OnDemandMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
  async read(): Promise<ResourceMetrics> {
    const { resourceMetrics } = await this.collect();
    return resourceMetrics;
  }
}

/** A logger that remembers what it was told. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (line) => void lines.push(line) };
}

export interface Tracked {
  perf: Performance;
  spans: InMemorySpanExporter;
  metrics: OnDemandMetricReader;
  store: InMemoryReportStore;
  logger: ReturnType<typeof recordingLogger>;
  provider: BasicTracerProvider;
}

/**
 * An enabled tracker under a provider the test controls: spans go to memory and to the tracker's
 * own report exporter, metrics to an on-demand reader, reports to memory.
 */
export function tracked(options: PerformanceOptions = {}): Tracked {
  const spans = new InMemorySpanExporter();
  const metrics = new OnDemandMetricReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  const store = new InMemoryReportStore();
  const logger = recordingLogger();
  const ref: { perf?: Performance } = {};
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans), { onStart: () => {}, onEnd: (span) => ref.perf?.exporter.onEnd(span), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  const perf = createPerformance({
    enabled: true,
    store,
    logger,
    handleProcessExit: false,
    tracerProvider: provider,
    metricReaders: [metrics],
    env: {},
    ...options,
  });
  ref.perf = perf;
  return { perf, spans, metrics, store, logger, provider };
}
