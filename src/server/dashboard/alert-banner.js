// The banner of firing alerts above every view: how many, and the latest few with their session
// (a link to it), tool and why. Hidden while nothing fires; left alone when the answer is the same.

import { changeGate, fetchAlerts } from './api.js';
import { h } from './dom.js';
import { sessionHref } from './routes.js';

const SHOWN = 3;

export function createAlertBanner(element) {
  const gate = changeGate();
  return {
    async update() {
      const answer = await fetchAlerts('state=firing&limit=100');
      if (!gate.changed(answer)) return;
      const { alerts } = answer.value;
      element.hidden = alerts.length === 0;
      if (alerts.length === 0) {
        element.replaceChildren();
        return;
      }
      const more = alerts.length - SHOWN;
      element.replaceChildren(
        h('strong', {}, `${alerts.length === 100 ? '100+' : alerts.length} firing alert${alerts.length === 1 ? '' : 's'}`),
        h('ul', {}, alerts.slice(0, SHOWN).map((alert) =>
          h('li', { 'data-alert': alert.rule },
            h('span', { class: 'alert-rule' }, alert.rule), ' · ',
            h('a', { href: sessionHref(alert.sessionId) }, alert.sessionId), ' · ',
            alert.message,
          ),
        )),
        more > 0 ? h('span', { class: 'muted' }, `and ${more} more (toolperf alerts, or GET /api/v1/alerts)`) : null,
      );
    },
  };
}
