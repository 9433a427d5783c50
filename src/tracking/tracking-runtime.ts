import type { Tracer } from '@opentelemetry/api';
import type { DeferredToolMetrics } from './deferred-tool-metrics.js';
import type { FailureLog } from '../util/logger.js';
import type { ArgumentFingerprinter } from '../util/argument-fingerprint.js';

/** What tracked calls need from the tracker; built once per `createPerformance`. */
export interface TrackingRuntime {
  readonly tracer: Tracer;
  readonly metrics: Pick<DeferredToolMetrics, 'record'>;
  readonly includeSessionIdInMetrics: boolean;
  readonly captureContent: boolean;
  readonly maxContentLength: number;
  readonly failures: FailureLog;
  /** The store the tracker's own reports fold its spans into, marked on each span (`toolperf.store.id`); undefined marks nothing. */
  readonly storeId: string | undefined;
  /** With `fingerprintArguments`: fingerprints each call's input (`toolperf.tool.call.arguments.fingerprint`). Undefined costs nothing. */
  readonly fingerprinter: ArgumentFingerprinter | undefined;
}
