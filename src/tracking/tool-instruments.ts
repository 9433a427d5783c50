import type { Meter } from '@opentelemetry/api';
import * as semconv from '../telemetry/semconv.js';
import type { FailureLog } from '../util/logger.js';
import { DeferredToolMetrics } from './deferred-tool-metrics.js';

/** The tool metrics' instruments, created once per tracker: duration in seconds with explicit buckets, and a call counter. */
export function createToolMetrics(meter: Meter, failures: FailureLog): DeferredToolMetrics {
  return new DeferredToolMetrics(
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
}
