// The recent calls as a table, newest first: the numbers behind the timeline and the waterfall,
// with each failure's type and message; "Failed only" narrows it to the failures. A row opens
// the call's details, like a click on the charts. The newest rows are drawn first and the rest
// on request: a thousand rows cost a live page more on every change than anyone reads.

import { callKey, offsetSeconds, outcomeOf, traceCell } from './call-details.js';
import { TOOL_OPERATION, toolColor } from './call-series.js';
import { button, dataTable, h, replace } from './dom.js';
import { formatMs, formatSeconds } from './format.js';
import { colors } from './theme.js';

/** Rows drawn until the reader asks for all. */
export const FIRST_ROWS = 250;

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
  const more = h('p', { class: 'more', hidden: true });
  const section = h('section', { 'aria-labelledby': 'recent-heading', class: 'panel' },
    h('div', { class: 'section-head' },
      h('h2', { id: 'recent-heading' }, 'Recent calls'),
      h('label', { class: 'check' }, failedOnly, ' Failed only'),
      count,
    ),
    box,
    more,
  );
  let table;
  let report;
  let shown = [];
  let selectedKey;
  let showAll = false;

  const callsShown = () => (failedOnly.checked ? report.recent.filter((c) => !c.ok) : report.recent).slice().reverse();

  function render() {
    if (report === undefined) return;
    const start = Date.parse(report.startedAt);
    const { llm } = colors();
    const all = report.recent;
    const matching = callsShown();
    shown = showAll ? matching : matching.slice(0, FIRST_ROWS);
    const failures = all.reduce((n, c) => n + (c.ok ? 0 : 1), 0);
    count.textContent = failedOnly.checked ? `${matching.length} failed of ${all.length}` : `${all.length} calls, ${failures} failed`;
    more.hidden = shown.length === matching.length;
    more.replaceChildren(
      `The newest ${shown.length} of ${matching.length} are shown. `,
      button(`Show all ${matching.length}`, { class: 'quiet', 'data-action': 'show-all-calls' }, () => {
        showAll = true;
        render();
      }),
    );
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
  }

  // One listener for every row (a thousand rows would otherwise add two thousand on each change).
  const open = (event) => {
    const row = event.target.closest('tr[data-call]');
    if (row === null || event.target.closest('a')) return;
    const call = shown[Number(row.dataset.call)];
    if (call !== undefined) onSelect(call);
  };
  box.addEventListener('click', open);
  box.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    if (event.target.closest('tr[data-call]') === null) return;
    event.preventDefault();
    open(event);
  });
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
      let index = shown.findIndex((c) => callKey(c) === selectedKey);
      if (index === -1 && callsShown().some((c) => callKey(c) === selectedKey)) {
        // An older call than the rows drawn: draw them all, then mark it.
        showAll = true;
        render();
        index = shown.findIndex((c) => callKey(c) === selectedKey);
      }
      const row = index === -1 ? null : table.querySelector(`tbody tr[data-call="${index}"]`);
      if (row === null) return;
      row.classList.add('selected');
      // Within the table's own scroll box only: the page stays where the reader clicked.
      box.scrollTop = Math.max(0, row.offsetTop - box.clientHeight / 2);
    },
  };
}
