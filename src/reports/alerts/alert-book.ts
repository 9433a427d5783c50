import { MAX_ALERT_TEXT, type SessionAlert } from '../../document/report.js';
import type { AlertRule } from './alert-rules.js';
import { alertKey } from './merge-alerts.js';

/** What happened to an alert: it fired, it resolved, or it would have fired again within the cooldown. */
export type AlertTransition = 'fired' | 'resolved' | 'suppressed';

/** Where the book sends every new version of an alert: to the session's report, and (fired, resolved) out. */
export type AlertEmit = (sessionId: string, alert: SessionAlert, transition: AlertTransition) => void;

/** The alert's subject: a rule, and the calls of one tool (of one operation type) in one session. */
export interface AlertSubject {
  readonly sessionId: string;
  readonly rule: AlertRule;
  readonly operationType: string;
  readonly toolName: string;
}

export type Evidence = Readonly<Record<string, number | string>>;

/** Sessions whose alerts are remembered; past it the least recently opened is forgotten. */
const MAX_SESSIONS = 10_000;

/**
 * The lifecycle of alerts, keyed by (rule, session, tool): an alert fires once and stays firing
 * until its condition clears (`resolve`); it may fire again only once `cooldownMs` have passed
 * since it last fired, and a firing within the cooldown is suppressed and counted instead. Every
 * new version goes to `emit`, which stores it with the session and delivers the transitions.
 */
export class AlertBook {
  private readonly sessions = new Map<string, Map<string, SessionAlert>>();

  constructor(
    private readonly cooldownMs: number,
    private readonly emit: AlertEmit,
  ) {}

  /** Fires the subject's alert unless it is firing already; `message` and `evidence` say why. */
  fire(subject: AlertSubject, atMs: number, message: string, evidence: Evidence): void {
    const alerts = this.alertsOf(subject.sessionId);
    const key = alertKey({ rule: subject.rule.name, operationType: subject.operationType, toolName: subject.toolName });
    const before = alerts.get(key);
    if (before?.state === 'firing') return;
    if (before !== undefined && atMs - Date.parse(before.firedAt) < this.cooldownMs) {
      this.set(subject.sessionId, alerts, key, { ...before, suppressed: before.suppressed + 1 }, 'suppressed');
      return;
    }
    const at = new Date(atMs).toISOString();
    const alert: SessionAlert = {
      rule: subject.rule.name,
      kind: subject.rule.kind,
      operationType: subject.operationType,
      toolName: subject.toolName,
      state: 'firing',
      firedAt: at,
      changedAt: at,
      fired: (before?.fired ?? 0) + 1,
      suppressed: before?.suppressed ?? 0,
      message: message.slice(0, MAX_ALERT_TEXT),
      evidence: limited(evidence),
    };
    this.set(subject.sessionId, alerts, key, alert, 'fired');
  }

  /** Resolves the subject's alert if it is firing; `evidence` is added to what made it fire. */
  resolve(subject: AlertSubject, atMs: number, evidence: Evidence = {}): void {
    const alerts = this.sessions.get(subject.sessionId);
    const key = alertKey({ rule: subject.rule.name, operationType: subject.operationType, toolName: subject.toolName });
    const before = alerts?.get(key);
    if (alerts === undefined || before?.state !== 'firing') return;
    const at = new Date(Math.max(atMs, Date.parse(before.changedAt))).toISOString();
    const alert: SessionAlert = { ...before, state: 'resolved', resolvedAt: at, changedAt: at, evidence: limited({ ...before.evidence, ...evidence }) };
    this.set(subject.sessionId, alerts, key, alert, 'resolved');
  }

  isFiring(subject: AlertSubject): boolean {
    const key = alertKey({ rule: subject.rule.name, operationType: subject.operationType, toolName: subject.toolName });
    return this.sessions.get(subject.sessionId)?.get(key)?.state === 'firing';
  }

  /** Learns the alerts a session's report holds (another process's, or this one's before a restart) where they are newer. */
  learn(sessionId: string, stored: readonly SessionAlert[] | undefined): void {
    if (stored === undefined || stored.length === 0) return;
    const alerts = this.alertsOf(sessionId);
    for (const alert of stored) {
      const key = alertKey(alert);
      const known = alerts.get(key);
      if (known === undefined || Date.parse(alert.changedAt) > Date.parse(known.changedAt)) alerts.set(key, alert);
    }
  }

  /** The session's alerts of `kind` firing now. */
  firing(sessionId: string, kind: SessionAlert['kind']): number {
    let n = 0;
    for (const alert of this.sessions.get(sessionId)?.values() ?? []) if (alert.kind === kind && alert.state === 'firing') n++;
    return n;
  }

  /** Forgets a session (it ended, its alerts are stored). */
  forget(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  private alertsOf(sessionId: string): Map<string, SessionAlert> {
    let alerts = this.sessions.get(sessionId);
    if (alerts === undefined) {
      if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
      this.sessions.set(sessionId, (alerts = new Map()));
    }
    return alerts;
  }

  private set(sessionId: string, alerts: Map<string, SessionAlert>, key: string, alert: SessionAlert, transition: AlertTransition): void {
    alerts.set(key, alert);
    this.emit(sessionId, alert, transition);
  }
}

/** Evidence within the stored limits: at most 32 entries, texts cut, numbers finite. */
function limited(evidence: Evidence): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(evidence).slice(0, 32)) {
    if (typeof value === 'number' ? Number.isFinite(value) : typeof value === 'string') {
      Object.defineProperty(out, key.slice(0, 64), { value: typeof value === 'string' ? value.slice(0, MAX_ALERT_TEXT) : value, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}
