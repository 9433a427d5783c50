import type { Attributes, HrTime } from '@opentelemetry/api';
import type {
  DataPointType,
  DataPoint,
  Histogram,
  MetricData,
  MetricDescriptor,
  ResourceMetrics,
  ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { sdkMetrics } from '../sdk.js';

type Resource = ResourceMetrics['resource'];
type Scope = ScopeMetrics['scope'];

interface Series {
  readonly attributes: Attributes;
  readonly startTime: HrTime;
  endTime: HrTime;
  value: number | Histogram;
  /** `now()` when a delta last changed it; the map keeps series in this order. */
  updatedAt: number;
}

interface Stream {
  readonly scope: Scope;
  descriptor: MetricDescriptor;
  readonly dataPointType: DataPointType.SUM | DataPointType.HISTOGRAM | DataPointType.GAUGE;
  readonly isMonotonic: boolean;
  /** Least recently updated first. */
  readonly series: Map<string, Series>;
}

export interface CumulativeSeriesOptions {
  /** Most series one metric keeps; past it the least recently updated one goes. */
  readonly maxSeries: number;
  /** A series no delta has touched for this long is dropped. */
  readonly ttlMs: number;
  readonly now?: () => number;
}

/**
 * Cumulative metric series built from deltas, with a bounded life. The SDK's own cumulative
 * storage keeps every label set it has ever seen; with `session.id` on the metrics that grows with
 * every session. Here a series that stops changing (its session ended) is dropped after `ttlMs`,
 * as the Collector's Prometheus exporter does with `metric_expiration`, and no metric keeps more
 * than `maxSeries`. A series that comes back starts again from zero, which Prometheus' `rate()`
 * reads as a counter reset.
 */
export class CumulativeSeries {
  private readonly streams = new Map<string, Stream>();
  private resource: Resource | undefined;
  private readonly now: () => number;

  constructor(private readonly options: CumulativeSeriesOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Adds one collection of delta (or, for gauges, last-value) points. */
  add(deltas: ResourceMetrics): void {
    this.resource = deltas.resource;
    const now = this.now();
    for (const { scope, metrics } of deltas.scopeMetrics) {
      for (const metric of metrics) this.addMetric(scope, metric, now);
    }
  }

  /** Every live series, cumulative, after dropping the expired ones. */
  snapshot(): ResourceMetrics | undefined {
    if (this.resource === undefined) return undefined;
    const oldest = this.now() - this.options.ttlMs;
    const byScope = new Map<Scope, MetricData[]>();
    for (const stream of this.streams.values()) {
      for (const [key, series] of stream.series) {
        if (series.updatedAt >= oldest) break;
        stream.series.delete(key);
      }
      if (stream.series.size === 0) continue;
      const metrics = byScope.get(stream.scope) ?? [];
      metrics.push(toMetricData(stream));
      byScope.set(stream.scope, metrics);
    }
    return {
      resource: this.resource,
      scopeMetrics: [...byScope].map(([scope, metrics]) => ({ scope, metrics })),
    };
  }

  /** Live series across all metrics (for tests and diagnostics). */
  get size(): number {
    let size = 0;
    for (const stream of this.streams.values()) size += stream.series.size;
    return size;
  }

  private addMetric(scope: Scope, metric: MetricData, now: number): void {
    // Our meters make no exponential histograms; a stream of them would need its own merge.
    if (metric.dataPointType === sdkMetrics().DataPointType.EXPONENTIAL_HISTOGRAM) return;
    const streamKey = `${scope.name}\0${scope.version ?? ''}\0${metric.descriptor.name}`;
    let stream = this.streams.get(streamKey);
    if (stream === undefined) {
      stream = {
        scope,
        descriptor: metric.descriptor,
        dataPointType: metric.dataPointType,
        isMonotonic: metric.dataPointType === sdkMetrics().DataPointType.SUM ? metric.isMonotonic : false,
        series: new Map(),
      };
      this.streams.set(streamKey, stream);
    }
    stream.descriptor = metric.descriptor;
    const points = metric.dataPoints as DataPoint<number | Histogram>[];
    for (const point of points) this.addPoint(stream, point, now);
  }

  private addPoint(stream: Stream, point: DataPoint<number | Histogram>, now: number): void {
    const key = attributesKey(point.attributes);
    const series = stream.series.get(key);
    if (series === undefined) {
      stream.series.set(key, {
        attributes: point.attributes,
        startTime: point.startTime,
        endTime: point.endTime,
        value: copyValue(point.value),
        updatedAt: now,
      });
      if (stream.series.size > this.options.maxSeries) {
        const leastRecent = stream.series.keys().next().value as string;
        stream.series.delete(leastRecent);
      }
      return;
    }
    series.value = stream.dataPointType === sdkMetrics().DataPointType.GAUGE ? copyValue(point.value) : merged(series.value, point.value);
    series.endTime = point.endTime;
    series.updatedAt = now;
    stream.series.delete(key);
    stream.series.set(key, series);
  }
}

function toMetricData(stream: Stream): MetricData {
  const dataPoints = [...stream.series.values()].map((s) => ({
    attributes: s.attributes,
    startTime: s.startTime,
    endTime: s.endTime,
    value: s.value,
  }));
  const { AggregationTemporality, DataPointType } = sdkMetrics();
  const base = { descriptor: stream.descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE };
  switch (stream.dataPointType) {
    case DataPointType.SUM:
      return { ...base, dataPointType: DataPointType.SUM, isMonotonic: stream.isMonotonic, dataPoints: dataPoints as DataPoint<number>[] };
    case DataPointType.GAUGE:
      return { ...base, dataPointType: DataPointType.GAUGE, dataPoints: dataPoints as DataPoint<number>[] };
    case DataPointType.HISTOGRAM:
      return { ...base, dataPointType: DataPointType.HISTOGRAM, dataPoints: dataPoints as DataPoint<Histogram>[] };
  }
}

/** The same label set gives the same key whatever the order of its keys. */
function attributesKey(attributes: Attributes): string {
  return JSON.stringify(Object.keys(attributes).sort().map((k) => [k, attributes[k]]));
}

function copyValue(value: number | Histogram): number | Histogram {
  if (typeof value === 'number') return value;
  return { ...value, buckets: { boundaries: value.buckets.boundaries, counts: [...value.buckets.counts] } };
}

function merged(total: number | Histogram, delta: number | Histogram): number | Histogram {
  if (typeof total === 'number' || typeof delta === 'number') return (total as number) + (delta as number);
  const counts = total.buckets.counts.map((c, i) => c + (delta.buckets.counts[i] ?? 0));
  return {
    buckets: { boundaries: total.buckets.boundaries, counts },
    sum: (total.sum ?? 0) + (delta.sum ?? 0),
    count: total.count + delta.count,
    min: minOf(total.min, delta.min),
    max: maxOf(total.max, delta.max),
  };
}

function minOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function maxOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}
