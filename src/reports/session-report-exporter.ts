import type { Context, TraceFlags } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FailureLog, type Logger } from '../util/logger.js';
import { inspectCall, type CallRecord } from './call-record.js';
import { callFromSpan } from './span-to-call.js';

/**
 * `ExportResultCode` of @opentelemetry/core and `TraceFlags.SAMPLED` of @opentelemetry/api: the
 * reports load neither at run time, so that reading them (the CLI, the report server) does not.
 */
const EXPORT_SUCCESS = 0 satisfies ExportResult['code'];
const EXPORT_FAILED = 1 satisfies ExportResult['code'];
const SAMPLED = 1 satisfies TraceFlags.SAMPLED;

/**
 * The reports' span exporter and processor: folds tool-call spans into per-session reports. Put it
 * among your provider's span processors (or behind any processor as an exporter).
 */
export type SessionReportExporter = SpanExporter & SpanProcessor;

/**
 * Both a `SpanExporter` (put it behind any span processor, or feed it spans from elsewhere) and a
 * `SpanProcessor` that folds each span as it ends: exact counts, no queue to overflow, and the cost
 * of a map lookup and a few additions. Writing is the reports' business, never on the caller's path.
 */
export class SpanFolder implements SessionReportExporter {
  private readonly failures: FailureLog;
  private stopped = false;

  constructor(
    private readonly record: (call: CallRecord) => void,
    private readonly flushReports: () => Promise<void>,
    private readonly shutdownReports: () => Promise<void>,
    logger: Logger,
    /** Told of every span's start and end: the hung-call watch. */
    private readonly watch?: { started(span: ReadableSpan): void; ended(span: ReadableSpan): void },
  ) {
    this.failures = new FailureLog(logger);
  }

  /** SpanExporter: never throws, calls back exactly once, FAILED after shutdown. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: EXPORT_FAILED, error: new Error('the session reports are shut down') });
      return;
    }
    const now = Date.now();
    for (const span of spans) this.fold(span, now);
    resultCallback({ code: EXPORT_SUCCESS });
  }

  /** SpanProcessor: with hung-call rules, remembers the call's start (see `HungCallWatch`). */
  onStart(span: Span, _parentContext: Context): void {
    if (this.watch === undefined || this.stopped) return;
    try {
      this.watch.started(span);
    } catch (error) {
      this.failures.fail('watch', 'could not watch a call for the hung-call rules', error);
    }
  }

  /** SpanProcessor: folds sampled spans as they end. */
  onEnd(span: ReadableSpan): void {
    if (this.watch !== undefined) this.endWatch(span);
    if (this.stopped) return;
    if ((span.spanContext().traceFlags & SAMPLED) === 0) return;
    this.fold(span, Date.now());
  }

  /** Writes every session with unwritten calls. */
  forceFlush(): Promise<void> {
    return this.flushReports();
  }

  /** Shuts the reports down (writing what is unwritten); afterwards `export` answers FAILED. Idempotent. */
  shutdown(): Promise<void> {
    this.stopped = true;
    return this.shutdownReports();
  }

  /** Marks the folder stopped without shutting the reports down (they are shutting down already). */
  stop(): void {
    this.stopped = true;
  }

  private endWatch(span: ReadableSpan): void {
    try {
      this.watch?.ended(span);
    } catch (error) {
      this.failures.fail('watch', 'could not watch a call for the hung-call rules', error);
    }
  }

  /** Folds `span` if it is a call; one a report cannot hold (`inspectCall`) is left out, logged once per streak and reason. */
  private fold(span: ReadableSpan, now: number): void {
    try {
      const call = callFromSpan(span);
      if (call === undefined) return;
      const checked = inspectCall(call, now);
      if (!checked.ok) {
        this.failures.fail(`span-${checked.problem}`, `ignoring spans that are not calls a report can hold, e.g. ${checked.message}`);
        return;
      }
      this.record(checked.call);
    } catch (error) {
      this.failures.fail('fold', 'could not fold a span into its session report', error);
    }
  }
}
