import type { Tracer } from '@opentelemetry/api';
import type { DeferredToolMetrics } from './deferred-tool-metrics.js';
import type { FailureLog } from '../util/logger.js';

/** What tracked calls need from the tracker; built once per `createPerformance`. */
export interface TrackingRuntime {
  readonly tracer: Tracer;
  readonly metrics: Pick<DeferredToolMetrics, 'record'>;
  readonly includeSessionIdInMetrics: boolean;
  readonly captureContent: boolean;
  readonly maxContentLength: number;
  readonly failures: FailureLog;
}
