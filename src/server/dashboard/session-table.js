// The session list's table: sortable by the columns the API sorts by (a click on a header sorts
// by it, a second click turns the order round), with each session's duration and error rate and
// its tool calls apart from its other operations; a box per row picks sessions to compare.

import { h, timeElement } from './dom.js';
import { formatCompactTime, formatDuration, formatPercent, formatTime } from './format.js';
import { sessionHref } from './routes.js';
import { agentLabel, sessionStatus, statusBadge } from './session-status.js';

/** From this share of failed calls a session's error rate stands out. */
const HIGH_ERROR_RATE = 0.1;

/** The list's order unless told otherwise: newest activity first. */
export const DEFAULT_SORT = { by: 'updatedAt', order: 'desc' };

const COLUMNS = [
  { label: 'Compare', key: 'compare' },
  { label: 'Session' },
  { label: 'Status' },
  { label: 'Agent' },
  { label: 'Started', sort: 'startedAt' },
  { label: 'Last activity', sort: 'updatedAt' },
  { label: 'Duration', sort: 'durationMs', numeric: true },
  { label: 'Tool calls', sort: 'toolCalls', numeric: true },
  { label: 'Other ops', numeric: true },
  { label: 'Errors', sort: 'errors', numeric: true },
  { label: 'Error rate', sort: 'errorRate', numeric: true },
];

/** A summary's figures, from the fields the server sends (and from the older ones when it sends only those). */
export function figuresOf(s) {
  const toolCalls = s.toolCalls ?? s.calls;
  return {
    toolCalls,
    otherCalls: s.calls - toolCalls,
    durationMs: s.durationMs ?? Math.max(0, Date.parse(s.updatedAt) - Date.parse(s.startedAt)),
    errorRate: s.errorRate ?? (s.calls === 0 ? 0 : s.errors / s.calls),
  };
}

/**
 * The table. `sort`: `{ by, order }`; `onSort(by, order)` when a header is clicked;
 * `selected`: the set of session IDs ticked for comparing; `onPick(id, ticked)` when one changes.
 */
export function sessionTable({ sessions, sort, onSort, selected, onPick }) {
  const head = h('tr', {}, COLUMNS.map((column) => {
    const attributes = { scope: 'col', class: column.numeric ? 'num' : undefined };
    if (column.key === 'compare') return h('th', { ...attributes, class: 'pick' }, h('span', { class: 'visually-hidden' }, column.label));
    if (column.sort === undefined) return h('th', attributes, column.label);
    const active = sort.by === column.sort;
    const next = active && sort.order === 'desc' ? 'asc' : 'desc';
    const control = h('button', { type: 'button', class: 'sort', 'data-sort': column.sort, title: `Sort by ${column.label.toLowerCase()}` },
      column.label,
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, active ? (sort.order === 'desc' ? '▼' : '▲') : '↕'),
    );
    control.addEventListener('click', () => onSort(column.sort, next));
    return h('th', { ...attributes, 'aria-sort': active ? (sort.order === 'desc' ? 'descending' : 'ascending') : undefined }, control);
  }));
  const rows = sessions.map((s) => {
    const figures = figuresOf(s);
    const pick = h('input', { type: 'checkbox', 'aria-label': `Compare ${s.sessionId}`, 'data-pick': s.sessionId, checked: selected.has(s.sessionId) });
    pick.addEventListener('change', () => onPick(s.sessionId, pick.checked));
    return h('tr', { class: s.errors > 0 ? 'has-errors' : undefined },
      h('td', { class: 'pick' }, pick),
      h('th', { scope: 'row' }, h('a', { href: sessionHref(s.sessionId) }, s.sessionId)),
      h('td', {}, statusBadge(sessionStatus(s))),
      h('td', {}, agentLabel(s.agent)),
      h('td', { class: 'nowrap', title: formatTime(s.startedAt) }, timeElement(s.startedAt, formatCompactTime(s.startedAt))),
      h('td', { class: 'nowrap', title: formatTime(s.updatedAt) }, timeElement(s.updatedAt, formatCompactTime(s.updatedAt))),
      h('td', { class: 'num' }, formatDuration(figures.durationMs)),
      h('td', { class: 'num' }, String(figures.toolCalls)),
      h('td', { class: 'num' }, String(figures.otherCalls)),
      h('td', { class: 'num' }, String(s.errors)),
      h('td', { class: `num${figures.errorRate >= HIGH_ERROR_RATE ? ' bad' : ''}` }, formatPercent(figures.errorRate)),
    );
  });
  return h('table', { 'data-table': 'sessions', class: 'sessions' },
    h('caption', { class: 'visually-hidden' }, 'Sessions'),
    h('thead', {}, head),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'empty' }, 'No session matches.'))),
  );
}
