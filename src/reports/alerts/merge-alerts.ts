import { MAX_ALERTS_PER_SESSION, type SessionAlert, type StoredSessionReport } from '../../document/report.js';

/** What makes an alert one alert within its session: the rule, the operation type and the tool. */
export function alertKey(alert: Pick<SessionAlert, 'rule' | 'operationType' | 'toolName'>): string {
  return `${alert.rule}\u0000${alert.operationType}\u0000${alert.toolName}`;
}

/**
 * Both lists as one, an alert per key: of two versions of one alert (two writers sharing a store,
 * or a process that restarted), the one with the later transition (`changedAt`) wins, a tie going
 * to `added` (the later write, which may carry newer evidence of the same transition). Latest
 * transition first; past `MAX_ALERTS_PER_SESSION`, the resolved alerts that changed least recently
 * are dropped first. Pure: neither list is changed.
 */
export function mergeAlerts(stored: readonly SessionAlert[] | undefined, added: readonly SessionAlert[]): SessionAlert[] {
  const byKey = new Map<string, SessionAlert>();
  for (const alert of stored ?? []) byKey.set(alertKey(alert), alert);
  for (const alert of added) {
    const key = alertKey(alert);
    const before = byKey.get(key);
    if (before === undefined || Date.parse(alert.changedAt) >= Date.parse(before.changedAt)) byKey.set(key, alert);
  }
  const merged = [...byKey.values()].sort((a, b) => Date.parse(b.changedAt) - Date.parse(a.changedAt));
  if (merged.length <= MAX_ALERTS_PER_SESSION) return merged;
  const firing = merged.filter((alert) => alert.state === 'firing');
  const resolved = merged.filter((alert) => alert.state !== 'firing');
  const kept = new Set([...firing, ...resolved].slice(0, MAX_ALERTS_PER_SESSION));
  return merged.filter((alert) => kept.has(alert));
}

/** `stored` with `added` merged into its alerts (see `mergeAlerts`); `stored` itself when there is nothing to add. */
export function withAlerts(stored: StoredSessionReport, added: readonly SessionAlert[]): StoredSessionReport {
  if (added.length === 0) return stored;
  return { ...stored, alerts: mergeAlerts(stored.alerts, added) };
}
