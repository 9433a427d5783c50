import { inspectCall, type CallProblem, type CallRecord } from '../../reports/call-record.js';
import { isShutDown, storeIdentityOf, type Reports } from '../../reports/reports.js';
import { FailureLog, type Logger } from '../../util/logger.js';
import { CallMatcher, type Cancel } from './call-matcher.js';
import { CALL_SOURCES } from './sources/index.js';
import type { CallSource, OtlpRecord, Signal, SourceContext } from './sources/source.js';

/** Why records of a request were not folded, for its partial-success answer. */
export type Rejection = CallProblem | 'over-limit' | 'stopped';

/** Counts a request's rejected records by reason. */
export interface RejectionSink {
  add(reason: Rejection, n: number, sessionId?: string): void;
}

/** What ingest did with the records it was sent, per signal. */
export interface IngestCounts {
  /** Records a source turned into calls. */
  mapped: number;
  /** Records a source knew but that hold no call (model requests, session events, copies on the other signal). */
  ignored: number;
  /** Records no source knew. */
  unknown: number;
}

export interface IngestStats {
  readonly span: IngestCounts;
  readonly log: IngestCounts;
  /** Metric points are accepted and counted, not mapped: no agent puts a session on them. */
  readonly metric: { received: number };
  /** Calls seen on two signals and counted once. */
  readonly duplicates: number;
  /** Mapped records per source. */
  readonly bySource: Record<string, number>;
}

export interface IngestPipelineOptions {
  readonly logger: Logger;
  /** The sources asked, in order; `CALL_SOURCES` by default. */
  readonly sources?: readonly CallSource[];
  /** Whether calls are still folded; by default, until the reports are shut down. */
  readonly accepting?: () => boolean;
  /** With `fingerprintArguments`: fingerprints the arguments sources find (`SourceContext.fingerprint`). */
  readonly fingerprint?: (argumentsJson: string) => string | undefined;
  /** Settles when `fingerprint` has its key: requests wait for it before their records are taken. */
  readonly ready?: Promise<void>;
}

/**
 * Turns decoded OTLP records into calls and folds them into `reports`: each record goes to the
 * first source that owns it; what it emits is matched across signals (`CallMatcher`), checked
 * (`inspectCall`) and recorded. Timers that sources and held calls wait on run at `flush()` at the
 * latest.
 */
export class IngestPipeline {
  private readonly matcher: CallMatcher;
  private readonly timers = new Set<{ fn: () => void; timer: NodeJS.Timeout }>();
  private readonly failures: FailureLog;
  private readonly counts = { span: zero(), log: zero(), metric: { received: 0 } };
  private readonly bySource = new Map<string, number>();
  /** The request being taken, while its records are: refusals count in its answer; later ones are logged. */
  private rejections: RejectionSink | undefined;
  private readonly context: SourceContext;
  private currentSignal: Signal = 'span';

  private readonly sources: readonly CallSource[];
  private readonly isAccepting: () => boolean;
  /** Settles when the pipeline can take records (its fingerprints' key is in, or will not come). */
  readonly ready: Promise<void>;

  constructor(
    private readonly reports: Reports,
    options: IngestPipelineOptions,
  ) {
    this.failures = new FailureLog(options.logger);
    this.sources = options.sources ?? CALL_SOURCES;
    this.isAccepting = options.accepting ?? (() => !isShutDown(reports));
    this.ready = options.ready ?? Promise.resolve();
    const later = (ms: number, fn: () => void): Cancel => this.later(ms, fn);
    this.matcher = new CallMatcher((call) => this.fold(call), later);
    this.context = {
      get storeId() {
        return storeIdentityOf(reports);
      },
      emit: (mapped) => this.matcher.offer(mapped, this.currentSignal),
      fingerprint: options.fingerprint,
      later: (ms, fn) => {
        const signal = this.currentSignal;
        later(ms, () => {
          this.currentSignal = signal;
          fn();
        });
      },
    };
  }

  /** Whether the reports still fold calls. */
  get accepting(): boolean {
    return this.isAccepting();
  }

  /** Takes the records of one request (or a slice of it); refused calls count in `rejections`. */
  take(records: readonly OtlpRecord[], rejections: RejectionSink): void {
    this.rejections = rejections;
    try {
      for (const record of records) this.takeOne(record);
    } finally {
      this.rejections = undefined;
    }
  }

  /** Counts metric points received. */
  countMetrics(n: number): void {
    this.counts.metric.received += n;
  }

  /** Runs every waiting timer now: held calls are folded, joins give up waiting. */
  flush(): void {
    for (const entry of [...this.timers]) {
      clearTimeout(entry.timer);
      this.timers.delete(entry);
      this.run(entry.fn);
    }
  }

  stats(): IngestStats {
    return {
      span: { ...this.counts.span },
      log: { ...this.counts.log },
      metric: { ...this.counts.metric },
      duplicates: this.matcher.duplicates,
      bySource: Object.fromEntries(this.bySource),
    };
  }

  private takeOne(record: OtlpRecord): void {
    const counts = record.signal === 'log' ? this.counts.log : this.counts.span;
    this.currentSignal = record.signal;
    for (const source of this.sources) {
      let took;
      try {
        took = source.take(record, this.context);
      } catch (error) {
        this.failures.fail(`source-${source.id}`, `ingest: the ${source.id} mapping failed on a record; it is ignored`, error);
        took = 'ignored' as const;
      }
      if (took === undefined) continue;
      counts[took]++;
      if (took === 'mapped') this.bySource.set(source.id, (this.bySource.get(source.id) ?? 0) + 1);
      return;
    }
    counts.unknown++;
  }

  private fold(call: CallRecord): void {
    const checked = inspectCall(call);
    if (!checked.ok) {
      if (this.rejections !== undefined) this.rejections.add(checked.problem, 1, checked.problem === 'session-id' ? call.sessionId : undefined);
      else this.failures.fail(`call-${checked.problem}`, `ingest: ignoring calls a report cannot hold, e.g. ${checked.message}`);
      return;
    }
    // A request checks before each chunk; a call released by a timer checks here.
    if (this.rejections === undefined && !this.accepting) return;
    this.reports.record(checked.call);
  }

  private later(ms: number, fn: () => void): Cancel {
    const entry = { fn, timer: setTimeout(() => {
      this.timers.delete(entry);
      this.run(fn);
    }, ms) };
    entry.timer.unref();
    this.timers.add(entry);
    return () => {
      clearTimeout(entry.timer);
      this.timers.delete(entry);
    };
  }

  private run(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.failures.fail('later', 'ingest: a delayed mapping step failed', error);
    }
  }
}

function zero(): IngestCounts {
  return { mapped: 0, ignored: 0, unknown: 0 };
}
