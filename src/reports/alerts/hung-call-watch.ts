import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { isValidSessionId } from '../../util/session-id.js';
import { showMs } from './alert-text.js';
import { callIdOf, hrTimeToMilliseconds, operationTypeOf, sessionIdOf, toolNameOf } from '../span-to-call.js';
import type { AlertBook, AlertSubject } from './alert-book.js';
import type { HungCallRule } from './alert-rules.js';
import type { RuleIndex } from './rule-index.js';

/** Calls watched at once; past it new calls are not watched (a host that never ends its spans). */
const MAX_WATCHED = 100_000;

/**
 * Hung calls: every call whose start toolperf sees (a wrapped tool, `startCall`, the OpenCode
 * plugin: their spans start in this process) and that has a `hung-call` rule is remembered from
 * its span's start to its end, and one unref'd timer, running only while calls are, sweeps them:
 * a call running past its rule's threshold fires the alert while it still runs, and the alert
 * resolves when the last such call of the tool in the session ends. No timer per call; a start
 * costs a lookup of the tool's rules and a map entry.
 */
export class HungCallWatch {
  private readonly running = new Map<ReadableSpan, HungCallRule>();
  /** Running calls that fired an alert, and how many of them each subject has. */
  private readonly alerted = new Map<ReadableSpan, AlertSubject>();
  private readonly alertedBySubject = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly sweepEveryMs: number;

  constructor(
    private readonly index: RuleIndex,
    private readonly book: AlertBook,
    private readonly now: () => number,
  ) {
    const shortest = Math.min(...index.rules.flatMap((rule) => (rule.kind === 'hung-call' ? [rule.thresholdMs] : [])));
    this.sweepEveryMs = Math.min(15_000, Math.max(50, Math.floor(shortest / 4)));
  }

  /** A span started (the span processor's `onStart`). */
  started(span: ReadableSpan): void {
    const { attributes } = span;
    const operationType = operationTypeOf(attributes);
    if (operationType === undefined) return;
    const rule = this.index.forTool(operationType, toolNameOf(span.name, attributes)).hung;
    if (rule === undefined || this.running.size >= MAX_WATCHED) return;
    this.running.set(span, rule);
    this.timer ??= setInterval(() => this.sweep(), this.sweepEveryMs).unref();
  }

  /** A span ended (the span processor's `onEnd`). */
  ended(span: ReadableSpan): void {
    if (!this.running.delete(span)) return;
    const subject = this.alerted.get(span);
    if (subject === undefined) return;
    this.alerted.delete(span);
    const key = subjectKey(subject);
    const left = (this.alertedBySubject.get(key) ?? 1) - 1;
    if (left > 0) {
      this.alertedBySubject.set(key, left);
      return;
    }
    this.alertedBySubject.delete(key);
    const durationMs = hrTimeToMilliseconds(span.duration);
    this.book.resolve(subject, hrTimeToMilliseconds(span.startTime) + durationMs, { endedAfterMs: round(durationMs) });
  }

  /** Calls watched now (for tests and the bench). */
  get watching(): number {
    return this.running.size;
  }

  /** Fires the alerts of the calls running past their thresholds. */
  sweep(): void {
    const nowMs = this.now();
    for (const [span, rule] of this.running) {
      if (this.alerted.has(span)) continue;
      const startMs = hrTimeToMilliseconds(span.startTime);
      const runningMs = nowMs - startMs;
      if (runningMs < rule.thresholdMs) continue;
      const { attributes } = span;
      const sessionId = sessionIdOf(attributes);
      const operationType = operationTypeOf(attributes);
      // A call of no (valid) session has no report to hold its alert.
      if (sessionId === undefined || !isValidSessionId(sessionId) || operationType === undefined) {
        this.running.delete(span);
        continue;
      }
      const toolName = toolNameOf(span.name, attributes);
      const subject: AlertSubject = { sessionId, rule, operationType, toolName };
      this.alerted.set(span, subject);
      const key = subjectKey(subject);
      this.alertedBySubject.set(key, (this.alertedBySubject.get(key) ?? 0) + 1);
      const callId = callIdOf(attributes);
      this.book.fire(subject, nowMs, `${toolName} has been running for ${showMs(runningMs)} (hung-call threshold ${showMs(rule.thresholdMs)})`, {
        runningMs: round(runningMs),
        thresholdMs: rule.thresholdMs,
        startedAt: new Date(startMs).toISOString(),
        ...(callId === undefined ? {} : { callId }),
      });
    }
    if (this.running.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function subjectKey(subject: AlertSubject): string {
  return `${subject.sessionId}\u0000${subject.rule.name}\u0000${subject.operationType}\u0000${subject.toolName}`;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
