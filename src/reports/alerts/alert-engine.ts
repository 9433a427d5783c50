import type { SessionAlert, StoredSessionReport } from '../../document/report.js';
import type { ReportStore } from '../../storage/report-store.js';
import { FailureLog, type Logger } from '../../util/logger.js';
import { ownEntry } from '../../util/own-record.js';
import type { CallRecord } from '../call-record.js';
import { AlertBook, type AlertSubject, type AlertTransition } from './alert-book.js';
import type { ErrorRateRule, RegressionRule, ResolvedAlerts, SlowCallRule } from './alert-rules.js';
import { alertLogLine, showMs, type ListedAlert } from './alert-text.js';
import { AlertWebhook } from './alert-webhook.js';
import { readErrorRate } from './error-rate-check.js';
import { HungCallWatch } from './hung-call-watch.js';
import type { RegistryAlerts } from './registry-alerts.js';
import { testRegression } from './regression-check.js';
import { RuleIndex } from './rule-index.js';
import { ToolBaselines } from './tool-baseline.js';

export interface AlertEngineOptions {
  readonly alerts: ResolvedAlerts;
  readonly store: ReportStore;
  readonly logger: Logger;
  readonly now: () => number;
  /** Where each new version of an alert goes: the session's report (its next write). */
  readonly persist: (sessionId: string, alert: SessionAlert) => void;
  /** Called with every transition (fired, resolved), after the log line; must not throw. */
  readonly onAlert?: (alert: ListedAlert) => void;
  /** A live session's regressions are tested at most this often (at its writes), and always when it ends. Default 30 s. */
  readonly regressionEveryMs?: number;
  /** The webhook's first retry wait (tests). */
  readonly webhookRetryBaseMs?: number;
}

/**
 * The alert rules at work where calls are folded: slow calls as each call is folded (a cached
 * per-tool decision and a comparison), hung calls from their spans' starts (`HungCallWatch`),
 * error rates and regressions at the session's writes (off every call's path; a regression's
 * baseline is read from the store). Transitions are stored with the session, logged once each, and
 * POSTed to the webhook; nothing here throws into the fold.
 */
export class AlertEngine implements RegistryAlerts {
  readonly index: RuleIndex;
  /** Undefined without `hung-call` rules. */
  readonly hung: HungCallWatch | undefined;
  readonly webhook: AlertWebhook | undefined;
  private readonly book: AlertBook;
  private readonly baselines: ToolBaselines;
  private readonly failures: FailureLog;
  /** Sessions with firing slow-call alerts, and how many: a fast call looks for one to resolve only there (a hint kept by the book's counts). */
  private readonly firingSlow = new Map<string, number>();
  /** Per session: when its regressions were last tested, and each tool's call count then. */
  private readonly tested = new Map<string, { atMs: number; readonly counts: Map<string, number> }>();
  private readonly regressionEveryMs: number;

  constructor(private readonly options: AlertEngineOptions) {
    const { alerts, logger } = options;
    this.index = new RuleIndex(alerts.rules);
    this.failures = new FailureLog(logger);
    this.book = new AlertBook(alerts.cooldownMs, (sessionId, alert, transition) => this.emit(sessionId, alert, transition));
    this.hung = this.index.hasHung ? new HungCallWatch(this.index, this.book, options.now) : undefined;
    const { url } = alerts.webhook;
    this.webhook =
      url === undefined ? undefined : new AlertWebhook({ ...alerts.webhook, url, ...(options.webhookRetryBaseMs === undefined ? {} : { retryBaseMs: options.webhookRetryBaseMs }) }, logger);
    this.baselines = new ToolBaselines(options.store, options.now);
    this.regressionEveryMs = options.regressionEveryMs ?? 30_000;
  }

  /** Hot: once per folded call. */
  onCall(call: CallRecord): void {
    const slow = this.index.forTool(call.operationType, call.toolName).slow;
    if (slow === undefined) return;
    if (call.durationMs > slow.thresholdMs) this.slowCall(call, slow);
    else if (this.firingSlow.has(call.sessionId)) {
      this.book.resolve(subjectOf(call.sessionId, slow, call.operationType, call.toolName), call.startTimeMs + call.durationMs, { resolvedByCallMs: round(call.durationMs) });
    }
  }

  async afterWrite(sessionId: string, stored: StoredSessionReport): Promise<void> {
    try {
      this.baselines.noteWritten(stored);
      if (stored.alerts !== undefined) {
        this.book.learn(sessionId, stored.alerts);
        this.countFiringSlow(sessionId);
      }
      const ended = stored.endedAt !== undefined;
      const nowMs = this.options.now();
      let tested = this.tested.get(sessionId);
      const due = ended || tested === undefined || nowMs - tested.atMs >= this.regressionEveryMs;
      for (const [operationType, operation] of Object.entries(stored.operations)) {
        for (const [toolName, stats] of Object.entries(operation.tools)) {
          const rules = this.index.forTool(operationType, toolName);
          if (rules.errorRate) this.checkErrorRate(rules.errorRate, stored, operationType, toolName, nowMs);
          // Too few calls yet is no test: the throttle starts with the first real one.
          if (!rules.regression || !due || stats.count < rules.regression.minCalls) continue;
          const key = `${operationType}\u0000${toolName}`;
          if (tested?.counts.get(key) === stats.count) continue;
          if (tested === undefined) remember(this.tested, sessionId, (tested = { atMs: nowMs, counts: new Map() }));
          tested.counts.set(key, stats.count);
          tested.atMs = nowMs;
          await this.checkRegression(rules.regression, stored, operationType, toolName, nowMs);
        }
      }
      this.failures.recover('evaluate', sessionId);
    } catch (error) {
      this.failures.fail('evaluate', `could not evaluate the alert rules for session ${sessionId}`, error, sessionId);
    }
  }

  forget(sessionId: string): void {
    this.book.forget(sessionId);
    this.tested.delete(sessionId);
    this.firingSlow.delete(sessionId);
  }

  /** Stops the hung-call sweep and gives the webhook `graceMs` to deliver what is queued. */
  async shutdown(graceMs: number): Promise<void> {
    this.hung?.stop();
    await this.webhook?.close(graceMs);
  }

  private countFiringSlow(sessionId: string): void {
    const firing = this.book.firing(sessionId, 'slow-call');
    if (firing > 0) remember(this.firingSlow, sessionId, firing);
    else this.firingSlow.delete(sessionId);
  }

  private slowCall(call: CallRecord, rule: SlowCallRule): void {
    const { sessionId, operationType, toolName, durationMs, callId } = call;
    const message = `${toolName} took ${showMs(durationMs)} (slow-call threshold ${showMs(rule.thresholdMs)})`;
    this.book.fire(subjectOf(sessionId, rule, operationType, toolName), call.startTimeMs + durationMs, message, {
      durationMs: round(durationMs),
      thresholdMs: rule.thresholdMs,
      startedAt: new Date(call.startTimeMs).toISOString(),
      ...(callId === undefined ? {} : { callId }),
    });
  }

  private checkErrorRate(rule: ErrorRateRule, stored: StoredSessionReport, operationType: string, toolName: string, nowMs: number): void {
    const reading = readErrorRate(rule, stored, operationType, toolName);
    if (reading === undefined) return;
    const subject = subjectOf(stored.sessionId, rule, operationType, toolName);
    const rate = Math.round(reading.rate * 1e4) / 1e4;
    if (reading.over) {
      const message = `${toolName} failed ${reading.errors} of ${reading.calls} calls (${percent(reading.rate)}) over the ${reading.scope} (error-rate threshold ${percent(rule.threshold)})`;
      this.book.fire(subject, nowMs, message, { errors: reading.errors, calls: reading.calls, errorRate: rate, threshold: rule.threshold, minCalls: rule.minCalls, scope: reading.scope });
    } else if (reading.rate <= rule.threshold && this.book.isFiring(subject)) {
      this.book.resolve(subject, nowMs, { resolvedErrors: reading.errors, resolvedCalls: reading.calls, resolvedErrorRate: rate });
    }
  }

  private async checkRegression(rule: RegressionRule, stored: StoredSessionReport, operationType: string, toolName: string, nowMs: number): Promise<void> {
    const state = ownEntry(ownEntry(stored.aggregates, operationType)?.tools, toolName);
    if (state === undefined || state.count < rule.minCalls) return;
    const baseline = await this.baselines.baselineOf(operationType, toolName, rule.baselineSessions, stored.sessionId, stored.endedAt !== undefined);
    const reading = testRegression(rule, state, baseline);
    if (reading === undefined) return;
    const subject = subjectOf(stored.sessionId, rule, operationType, toolName);
    const evidence = {
      sessionP50Ms: round(reading.sessionP50Ms),
      baselineP50Ms: round(reading.baselineP50Ms),
      p50Ratio: reading.p50Ratio,
      sessionCalls: reading.sessionCalls,
      baselineCalls: reading.baselineCalls,
      baselineSessions: reading.baselineSessions,
      u: reading.u,
      pValue: reading.pValue,
      minRatio: rule.minRatio,
      maxPValue: rule.maxPValue,
      minDeltaMs: rule.minDeltaMs,
    };
    if (reading.regressed) {
      const message = `${toolName} p50 ${showMs(reading.sessionP50Ms)} against ${showMs(reading.baselineP50Ms)} over its last ${reading.baselineSessions} sessions (${reading.p50Ratio}×, Mann–Whitney p = ${reading.pValue.toPrecision(2)})`;
      this.book.fire(subject, nowMs, message, evidence);
    } else if (this.book.isFiring(subject)) {
      this.book.resolve(subject, nowMs, { resolvedP50Ratio: reading.p50Ratio, resolvedPValue: reading.pValue });
    }
  }

  private emit(sessionId: string, alert: SessionAlert, transition: AlertTransition): void {
    this.options.persist(sessionId, alert);
    if (alert.kind === 'slow-call' && transition !== 'suppressed') this.countFiringSlow(sessionId);
    if (transition === 'suppressed') return;
    const listed: ListedAlert = { ...alert, sessionId };
    this.options.logger.warn(alertLogLine(listed));
    this.webhook?.send(listed);
    try {
      this.options.onAlert?.(listed);
    } catch (error) {
      this.failures.fail('listener', 'an onAlert listener threw', error);
    }
  }
}

function subjectOf(sessionId: string, rule: AlertSubject['rule'], operationType: string, toolName: string): AlertSubject {
  return { sessionId, rule, operationType, toolName };
}

/** Sessions whose figures the engine keeps per map; past it the least recently added is forgotten. */
const MAX_SESSIONS = 10_000;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (!map.has(key) && map.size >= MAX_SESSIONS) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
