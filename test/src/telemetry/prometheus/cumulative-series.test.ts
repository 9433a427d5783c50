import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { CumulativeSeries } from '../../../../src/telemetry/prometheus/cumulative-series.js';

const resource = resourceFromAttributes({ 'service.name': 't' });
const T0: [number, number] = [1, 0];

function counterDelta(points: Array<[Record<string, string>, number]>): ResourceMetrics {
  const metric: MetricData = {
    descriptor: { name: 'calls', description: '', unit: '{call}', valueType: 1 },
    aggregationTemporality: AggregationTemporality.DELTA,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints: points.map(([attributes, value]) => ({ attributes, startTime: T0, endTime: T0, value })),
  };
  return { resource, scopeMetrics: [{ scope: { name: 'toolperf' }, metrics: [metric] }] };
}

function histogramDelta(attributes: Record<string, string>, counts: number[], sum: number, min: number, max: number): ResourceMetrics {
  const metric: MetricData = {
    descriptor: { name: 'duration', description: '', unit: 's', valueType: 1 },
    aggregationTemporality: AggregationTemporality.DELTA,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      {
        attributes,
        startTime: T0,
        endTime: T0,
        value: { buckets: { boundaries: [1, 2], counts }, sum, count: counts.reduce((a, b) => a + b, 0), min, max },
      },
    ],
  };
  return { resource, scopeMetrics: [{ scope: { name: 'toolperf' }, metrics: [metric] }] };
}

function values(series: CumulativeSeries): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const scope of series.snapshot()?.scopeMetrics ?? []) {
    for (const metric of scope.metrics) {
      expect(metric.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
      for (const point of metric.dataPoints) out[`${metric.descriptor.name}${JSON.stringify(point.attributes)}`] = point.value;
    }
  }
  return out;
}

describe('CumulativeSeries', () => {
  it('adds counter deltas per label set, whatever the order of the labels', () => {
    const series = new CumulativeSeries({ maxSeries: 10, ttlMs: 60_000 });
    series.add(counterDelta([[{ tool: 'a', s: '1' }, 2], [{ tool: 'b', s: '1' }, 1]]));
    series.add(counterDelta([[{ s: '1', tool: 'a' }, 3]]));
    expect(values(series)).toEqual({ 'calls{"tool":"a","s":"1"}': 5, 'calls{"tool":"b","s":"1"}': 1 });
  });

  it('merges histogram deltas: bucket counts, sum, count, min and max', () => {
    const series = new CumulativeSeries({ maxSeries: 10, ttlMs: 60_000 });
    series.add(histogramDelta({ tool: 'a' }, [1, 2, 0], 4, 0.5, 1.9));
    series.add(histogramDelta({ tool: 'a' }, [0, 1, 3], 12, 0.7, 6));
    expect(values(series)).toEqual({
      'duration{"tool":"a"}': { buckets: { boundaries: [1, 2], counts: [1, 3, 3] }, sum: 16, count: 7, min: 0.5, max: 6 },
    });
  });

  it('does not alias the SDK\'s bucket arrays', () => {
    const series = new CumulativeSeries({ maxSeries: 10, ttlMs: 60_000 });
    const delta = histogramDelta({ tool: 'a' }, [1, 0, 0], 0.5, 0.5, 0.5);
    series.add(delta);
    series.add(histogramDelta({ tool: 'a' }, [1, 0, 0], 0.5, 0.5, 0.5));
    const first = delta.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.value as { buckets: { counts: number[] } };
    expect(first.buckets.counts).toEqual([1, 0, 0]);
  });

  it('drops a series no delta touched for ttlMs, and keeps the ones still changing', () => {
    let now = 0;
    const series = new CumulativeSeries({ maxSeries: 10, ttlMs: 1000, now: () => now });
    series.add(counterDelta([[{ session: 'ended' }, 1], [{ session: 'live' }, 1]]));
    now = 900;
    series.add(counterDelta([[{ session: 'live' }, 1]]));
    now = 1500;
    expect(values(series)).toEqual({ 'calls{"session":"live"}': 2 });
    expect(series.size).toBe(1);
    now = 3000;
    expect(values(series)).toEqual({});
  });

  it('keeps at most maxSeries per metric, dropping the least recently updated', () => {
    let now = 0;
    const series = new CumulativeSeries({ maxSeries: 3, ttlMs: 1e9, now: () => now });
    for (const id of ['s1', 's2', 's3']) {
      now++;
      series.add(counterDelta([[{ session: id }, 1]]));
    }
    now++;
    series.add(counterDelta([[{ session: 's1' }, 1]])); // s1 is now the most recent
    now++;
    series.add(counterDelta([[{ session: 's4' }, 1]]));
    expect(Object.keys(values(series)).sort()).toEqual(['calls{"session":"s1"}', 'calls{"session":"s3"}', 'calls{"session":"s4"}']);
  });

  it('stays bounded over 100,000 sessions', () => {
    const series = new CumulativeSeries({ maxSeries: 500, ttlMs: 1e9 });
    for (let i = 0; i < 100_000; i++) series.add(counterDelta([[{ session: `ses_${i}` }, 1]]));
    expect(series.size).toBe(500);
  });
});
