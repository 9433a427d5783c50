import { TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { defaultDataDir } from '../storage/data-dir.js';
import { FileReportStore } from '../storage/file-store.js';
import { consoleLogger, FailureLog, type Logger } from '../util/logger.js';
import type { ReportStore } from '../storage/report-store.js';
import { SessionRegistry } from './session-registry.js';
import { isValidSessionId } from '../util/session-id.js';
import { callFromSpan } from './span-to-call.js';

export interface SessionReportExporterOptions {
  /** Where reports go. Default: JSON files under `dataDir`. */
  readonly store?: ReportStore;
  /** Default: the platform's data directory (see `defaultDataDir`). Ignored when `store` is given. */
  readonly dataDir?: string;
  /** Raw recent calls kept per session. Default 1000. */
  readonly maxMetrics?: number;
  /** Default 1000 ms. */
  readonly writeIntervalMs?: number;
  /** Default 15 minutes. */
  readonly sessionIdleTimeoutMs?: number;
  readonly logger?: Logger;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

/**
 * Folds tool-call spans into per-session reports and writes them to a `ReportStore`.
 *
 * It is both a `SpanExporter` (put it behind any span processor, or feed it spans from elsewhere)
 * and a `SpanProcessor` that folds each span as it ends: exact counts, no queue to overflow, and
 * the cost of a map lookup and a few additions. Writing is debounced and never on the caller's path.
 *
 * @example
 * const exporter = new SessionReportExporter({ dataDir: '/var/lib/agent' });
 * const provider = new NodeTracerProvider({ spanProcessors: [exporter, myOtherProcessor] });
 */
export class SessionReportExporter implements SpanExporter, SpanProcessor {
  readonly sessions: SessionRegistry;
  private readonly failures: FailureLog;
  private shutdownOnce: Promise<void> | undefined;

  constructor(options: SessionReportExporterOptions = {}) {
    const logger = options.logger ?? consoleLogger;
    this.failures = new FailureLog(logger);
    this.sessions = new SessionRegistry({
      store: options.store ?? new FileReportStore(options.dataDir ?? defaultDataDir(), logger),
      maxRecent: options.maxMetrics ?? 1000,
      writeIntervalMs: options.writeIntervalMs ?? 1000,
      idleTimeoutMs: options.sessionIdleTimeoutMs ?? 15 * 60_000,
      logger,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** SpanExporter: never throws, calls back exactly once, FAILED after shutdown. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.shutdownOnce !== undefined) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('SessionReportExporter is shut down') });
      return;
    }
    for (const span of spans) this.fold(span);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  onStart(_span: Span, _parentContext: Context): void {}

  /** SpanProcessor: folds sampled spans as they end. */
  onEnd(span: ReadableSpan): void {
    if (this.shutdownOnce !== undefined) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.fold(span);
  }

  /** Writes every session with unwritten calls. */
  forceFlush(): Promise<void> {
    return this.sessions.flush();
  }

  /** Writes what is unwritten; afterwards `export` answers FAILED. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.sessions.shutdown();
    return this.shutdownOnce;
  }

  private fold(span: ReadableSpan): void {
    try {
      const call = callFromSpan(span);
      if (call === undefined) return;
      if (!isValidSessionId(call.sessionId)) {
        this.failures.fail('session-id', `ignoring spans with an invalid session id, e.g. ${JSON.stringify(String(call.sessionId).slice(0, 64))}`);
        return;
      }
      this.sessions.record(call);
    } catch (error) {
      this.failures.fail('fold', 'could not fold a span into its session report', error);
    }
  }
}
