// A session's alerts, on its page: each rule that fired for one of its tools, its state, when it
// fired and resolved, and why (the numbers are in the report's `alerts`). Absent without alerts.

import { dataTable, h, timeElement } from './dom.js';
import { formatTime } from './format.js';

export function createSessionAlerts() {
  const section = h('section', { class: 'session-alerts', 'data-section': 'alerts', hidden: true });
  let last;
  return {
    section,
    render(report) {
      const alerts = report.alerts ?? [];
      const text = JSON.stringify(alerts);
      if (text === last) return;
      last = text;
      section.hidden = alerts.length === 0;
      const rows = alerts.map((alert) => [
        alert.rule,
        h('span', { class: `alert-state ${alert.state}` }, alert.state),
        alert.toolName,
        timeElement(alert.firedAt, formatTime(alert.firedAt)),
        alert.resolvedAt ? timeElement(alert.resolvedAt, formatTime(alert.resolvedAt)) : '–',
        alert.suppressed > 0 ? `${alert.message} (${alert.suppressed} suppressed)` : alert.message,
      ]);
      section.replaceChildren(
        h('h2', {}, 'Alerts'),
        dataTable({
          caption: 'Alerts of this session, latest first',
          name: 'alerts',
          columns: [{ label: 'Rule' }, { label: 'State' }, { label: 'Tool' }, { label: 'Fired' }, { label: 'Resolved' }, { label: 'Why' }],
          rows,
        }),
      );
    },
  };
}
