import type { SessionAlert } from '../../document/report.js';

/** An alert as delivered (log line, webhook, API): the stored alert and the session it belongs to. */
export interface ListedAlert extends SessionAlert {
  readonly sessionId: string;
}

/** A duration for people: `850 ms`, `1.52 s`, `3.5 min`. */
export function showMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 120_000) return `${Math.round(ms / 10) / 100} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}

/** One line of text for chat (Slack's `text`): state, rule, tool, session and why. */
export function alertText(alert: ListedAlert): string {
  const head = alert.state === 'firing' ? `:rotating_light: toolperf alert ${alert.rule} firing` : `:white_check_mark: toolperf alert ${alert.rule} resolved`;
  return `${head}: ${alert.message} (tool ${alert.toolName}, session ${alert.sessionId})`;
}

/** The one structured log line of a transition: a short text, then the alert as JSON. */
export function alertLogLine(alert: ListedAlert): string {
  const { sessionId, rule, kind, operationType, toolName, state, firedAt, resolvedAt, fired, suppressed, message, evidence } = alert;
  const fields = { sessionId, rule, kind, operationType, toolName, state, firedAt, resolvedAt, fired, suppressed, evidence };
  return `alert ${state === 'firing' ? 'fired' : 'resolved'}: ${message} ${JSON.stringify(fields)}`;
}
