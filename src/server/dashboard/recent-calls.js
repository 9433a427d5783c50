// The recent calls as a table, newest first: the numbers behind the timeline and the waterfall,
// with each failure's type and message; "Failed only" narrows it to the failures. A row opens
// the call's details, like a click on the charts.

import { callKey, offsetSeconds, outcomeOf, traceCell } from './call-details.js';
import { TOOL_OPERATION, toolColor } from './call-series.js';
import { dataTable, h, replace } from './dom.js';
import { formatMs, formatSeconds } from './format.js';
import { colors } from './theme.js';

/** A small square in a series' colour, as in the charts' legends. */
function swatch(color) {
  const element = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  element.style.background = color;
  return element;
}

export function createRecentCalls(onSelect) {
  const failedOnly = h('input', { type: 'checkbox', 'data-filter': 'failed-only' });
  const count = h('span', { class: 'muted', 'data-count': 'recent-calls' });
  const box = h('div', { class: 'scroll', id: 'recent-calls' });
  const section = h('section', { 'aria-labelledby': 'recent-heading', class: 'panel' },
    h('div', { class: 'section-head' },
      h('h2', { id: 'recent-heading' }, 'Recent calls'),
      h('label', { class: 'check' }, failedOnly, ' Failed only'),
      count,
    ),
    box,
  );
  let table;
  let report;
  let selectedKey;

  function render() {
    if (report === undefined) return;
    const start = Date.parse(report.startedAt);
    const { llm } = colors();
    const all = report.recent;
    const shown = (failedOnly.checked ? all.filter((c) => !c.ok) : all).slice().reverse();
    const failures = all.reduce((n, c) => n + (c.ok ? 0 : 1), 0);
    count.textContent = failedOnly.checked ? `${shown.length} failed of ${all.length}` : `${all.length} calls, ${failures} failed`;
    table = replace(box, table, dataTable({
      name: 'recent-calls',
      caption: failedOnly.checked ? 'Failed recent calls, newest first' : 'Recent calls, newest first',
      columns: [
        { label: 'Started' },
        { label: 'Tool' },
        { label: 'Operation' },
        { label: 'Call ID' },
        { label: 'Duration', numeric: true },
        { label: 'Result' },
        { label: 'Error message' },
        { label: 'Trace' },
      ],
      rows: shown.map((call) => [
        h('span', { class: 'nowrap' }, formatSeconds(offsetSeconds(call, start))),
        h('span', { class: 'nowrap' }, swatch(call.operationType === TOOL_OPERATION ? toolColor(report, call.toolName) : llm), call.toolName),
        h('span', { class: 'nowrap' }, call.operationType),
        h('span', { class: 'nowrap' }, call.callId ?? '–'),
        formatMs(call.durationMs),
        call.ok ? 'ok' : h('span', { class: 'outcome failed' }, outcomeOf(call)),
        call.errorMessage ? h('span', { class: 'message', title: call.errorMessage }, call.errorMessage) : '',
        h('span', { class: 'nowrap' }, traceCell(call)),
      ]),
      rowAttributes: (i) => ({
        tabindex: 0,
        class: `call-row${shown[i].ok ? '' : ' failed'}${callKey(shown[i]) === selectedKey ? ' selected' : ''}`,
        'data-call': i,
      }),
    }));
    for (const row of table.querySelectorAll('tbody tr[data-call]')) {
      const call = shown[Number(row.dataset.call)];
      const open = (event) => {
        if (event.target.closest('a')) return;
        onSelect(call);
      };
      row.addEventListener('click', open);
      row.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open(event);
        }
      });
    }
  }

  failedOnly.addEventListener('change', render);
  return {
    section,
    render(next) {
      report = next;
      render();
    },
    /** Marks the row of `call` (undefined: none) without rebuilding the table. */
    select(call) {
      selectedKey = call === undefined ? undefined : callKey(call);
      for (const row of box.querySelectorAll('tbody tr.selected')) row.classList.remove('selected');
      if (call === undefined || table === undefined) return;
      const shown = (failedOnly.checked ? report.recent.filter((c) => !c.ok) : report.recent).slice().reverse();
      const index = shown.findIndex((c) => callKey(c) === selectedKey);
      const row = index === -1 ? null : table.querySelector(`tbody tr[data-call="${index}"]`);
      if (row === null) return;
      row.classList.add('selected');
      // Within the table's own scroll box only: the page stays where the reader clicked.
      box.scrollTop = Math.max(0, row.offsetTop - box.clientHeight / 2);
    },
  };
}
