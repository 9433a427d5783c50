// `#/sessions/{id}`: a session at a glance (status, agent, duration, tool calls apart from other
// operations, errors), its alerts, what to change (recommendations), per operation type each
// tool's latency and errors, the recent calls on a timeline and a waterfall, and the recent calls'
// table. Every chart has a table with the same numbers. An answer like the last one leaves the
// page alone; a session that does not exist gets a page that says so.

import { ApiError, changeGate, fetchReport } from './api.js';
import { createCallDetails } from './call-details.js';
import { TOOL_OPERATION } from './call-series.js';
import { destroyCharts } from './charts.js';
import { h, timeElement } from './dom.js';
import { exportControls } from './export.js';
import { formatDuration, formatPercent, formatTime } from './format.js';
import { latencyScaleControl } from './latency-scale.js';
import { createOperationSection } from './operation-section.js';
import { createRecentCalls } from './recent-calls.js';
import { createRecommendations } from './recommendations.js';
import { createSessionAlerts } from './session-alerts.js';
import { compareHref } from './routes.js';
import { agentLabel, sessionStatus, statusBadge } from './session-status.js';
import { createTimeline } from './timeline.js';
import { createWaterfall } from './waterfall.js';

export function createSessionView(root, sessionId) {
  const gate = changeGate();
  let page;
  return {
    title: `Session ${sessionId}`,
    async update() {
      let answer;
      try {
        answer = await fetchReport(sessionId);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        answer = { text: '\u0000missing', value: undefined };
      }
      if (!gate.changed(answer)) return;
      if (answer.value === undefined) {
        page?.dispose();
        page = undefined;
        root.replaceChildren(missingSession(sessionId));
        return;
      }
      if (page === undefined) {
        root.replaceChildren();
        page = sessionPage(root, sessionId);
      }
      page.render(answer.value);
    },
    redraw() {
      page?.redraw();
    },
    dispose() {
      page?.dispose();
    },
  };
}

/** The page of a session that is not there: what was asked for, why it may be missing, where to go. */
function missingSession(sessionId) {
  return h('section', { class: 'missing', 'data-page': 'missing-session' },
    h('h1', {}, 'No session ', h('code', {}, sessionId)),
    h('p', {}, 'This server has no report for that session. It may have been cleared or pruned, or its ID is mistyped; a session that has not made a call yet appears as soon as it does (this page checks every 2 s).'),
    h('p', {}, h('a', { href: '#/' }, '← All sessions')),
  );
}

function sessionPage(root, sessionId) {
  let report;
  const details = createCallDetails(() => recent.select(undefined));
  const select = (call) => {
    details.show(call, Date.parse(report.startedAt));
    recent.select(call);
  };
  const timeline = createTimeline(select);
  const waterfall = createWaterfall(select);
  const recent = createRecentCalls(select);
  const recommendations = createRecommendations();
  const alerts = createSessionAlerts();
  const status = h('span');
  const cards = h('dl', { class: 'cards' });
  const operationsBox = h('div');
  const operations = new Map();
  const redraw = () => {
    if (report === undefined) return;
    for (const [type, section] of operations) if (report.operations[type]) section.render(report.operations[type]);
    timeline.render(report);
    waterfall.render(report);
  };
  root.append(
    h('div', { class: 'title-row' }, h('h1', {}, 'Session ', h('code', {}, sessionId)), status),
    cards,
    alerts.section,
    h('div', { class: 'toolbar' },
      latencyScaleControl(redraw),
      h('a', { class: 'button', href: compareHref(sessionId, undefined), 'data-action': 'compare' }, 'Compare with…'),
      exportControls(() => report),
    ),
    recommendations.section,
    operationsBox,
    h('div', { class: 'calls-grid' }, waterfall.section, timeline.section),
    details.element,
    recent.section,
  );

  return {
    render(next) {
      report = next;
      status.replaceChildren(statusBadge(sessionStatus(report)));
      cards.replaceChildren(...summaryCards(report));
      recommendations.render(report);
      alerts.render(report);
      // Tool calls first, then the other operation types by name.
      const types = Object.keys(report.operations).sort((a, b) => (b === TOOL_OPERATION) - (a === TOOL_OPERATION) || (a < b ? -1 : 1));
      for (const type of types) {
        if (!operations.has(type)) operations.set(type, createOperationSection(type));
      }
      const elements = types.map((type) => operations.get(type).element);
      // Moved only when the set changed: moving a section would drop the reader's selection in it.
      if (elements.some((element, i) => operationsBox.children[i] !== element) || operationsBox.children.length !== elements.length) {
        operationsBox.replaceChildren(...elements);
      }
      redraw();
      recent.render(report);
      if (details.shown) recent.select(details.shown);
    },
    redraw,
    dispose() {
      destroyCharts(root);
    },
  };
}

function summaryCards(report) {
  let calls = 0;
  let errors = 0;
  for (const op of Object.values(report.operations)) {
    calls += op.count;
    errors += op.errors;
  }
  const toolCalls = report.operations[TOOL_OPERATION]?.count ?? 0;
  const card = (term, value, extra) => h('div', { class: 'card', 'data-card': term }, h('dt', {}, term), h('dd', {}, value), extra ? h('dd', { class: 'muted' }, extra) : null);
  return [
    card('Agent', agentLabel(report.agent)),
    card('Started', timeElement(report.startedAt, formatTime(report.startedAt))),
    card('Duration', formatDuration(Date.parse(report.updatedAt) - Date.parse(report.startedAt)), report.endedAt ? `ended ${formatTime(report.endedAt)}` : `last call ${formatTime(report.updatedAt)}`),
    card('Tool calls', String(toolCalls), `${calls - toolCalls} other operations`),
    card('Errors', String(errors), `${formatPercent(calls ? errors / calls : 0)} of ${calls} calls`),
  ];
}
