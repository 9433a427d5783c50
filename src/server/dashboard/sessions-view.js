// `#/`: the sessions, filtered and sorted as the address says, paged; two of them can be picked
// for comparing. Below, every tool across the stored sessions.

import { changeGate, fetchSessions, fetchTools } from './api.js';
import { dataTable, h, replace } from './dom.js';
import { formatMs, formatPercent } from './format.js';
import { compareHref, replaceHash, sessionsHref, toolHref } from './routes.js';
import { apiQuery, createSessionFilters } from './session-filters.js';
import { DEFAULT_SORT, sessionTable } from './session-table.js';

const DEFAULT_PAGE_SIZE = 25;
const TREND_SESSIONS = 20;
/** Suggested in the agent filter before any session named one. */
const KNOWN_AGENTS = ['claude-code', 'codex', 'gemini-cli', 'opencode'];

export function createSessionsView(root, initialParams) {
  let params = new URLSearchParams(initialParams);
  const limit = clampLimit(params.get('limit'));
  const sessionsGate = changeGate();
  const toolsGate = changeGate();
  const selected = new Set();
  let sessions = [];
  let nextCursor;

  const compareLink = h('a', { class: 'button primary', 'data-action': 'compare-selected', 'aria-disabled': 'true' }, 'Compare');
  const pickHint = h('span', { class: 'muted', 'data-count': 'picked' });
  const filters = createSessionFilters(params, (next) => {
    params = next;
    replaceHash(sessionsHref(params));
    sessionsGate.reset();
    void refresh();
  });
  const tableBox = h('div', { class: 'scroll-x' });
  const sessionsSection = h('section', { 'aria-labelledby': 'sessions-heading', class: 'panel' },
    h('div', { class: 'section-head' }, h('h1', { id: 'sessions-heading' }, 'Sessions'), h('div', { class: 'compare-bar' }, pickHint, compareLink)),
    filters.element,
    tableBox,
  );
  const toolsSection = h('section', { 'aria-labelledby': 'tools-heading', class: 'panel' }, h('h2', { id: 'tools-heading' }, 'Tools across sessions'));
  root.append(sessionsSection, toolsSection);
  let table;
  let pager;
  let toolsTable;

  const sort = () => ({ by: params.get('sort') ?? DEFAULT_SORT.by, order: params.get('order') ?? DEFAULT_SORT.order });
  const renderSessions = () => {
    table = replace(tableBox, table, sessionTable({
      sessions,
      sort: sort(),
      selected,
      onSort(by, order) {
        params.set('sort', by);
        params.set('order', order);
        params.delete('cursor');
        replaceHash(sessionsHref(params));
        sessionsGate.reset();
        void refresh();
      },
      onPick(id, ticked) {
        if (ticked) selected.add(id);
        else selected.delete(id);
        updateCompare();
      },
    }));
    pager = replace(sessionsSection, pager, pagerOf(params, nextCursor));
  };
  const updateCompare = () => {
    const picked = [...selected];
    const ready = picked.length === 2;
    pickHint.textContent = ready ? `${picked[0]} and ${picked[1]}` : `Tick two sessions to compare (${picked.length}/2)`;
    compareLink.setAttribute('aria-disabled', String(!ready));
    if (ready) compareLink.setAttribute('href', compareHref(picked[0], picked[1]));
    else compareLink.removeAttribute('href');
  };
  updateCompare();

  let toolNames = [];
  const suggest = () => filters.suggest({ agentNames: [...KNOWN_AGENTS, ...sessions.flatMap((s) => (s.agent ? [s.agent.name] : []))], toolNames });
  /** Bumped per request: an answer to an older query (a poll overtaken by a filter change) is dropped. */
  let asked = 0;
  async function refresh() {
    const ticket = ++asked;
    const answer = await fetchSessions(apiQuery(params, limit));
    if (ticket !== asked || !sessionsGate.changed(answer)) return;
    ({ sessions, nextCursor } = answer.value);
    renderSessions();
    suggest();
  }

  return {
    title: 'Sessions',
    async update() {
      const [, tools] = await Promise.all([refresh(), fetchTools(TREND_SESSIONS)]);
      if (!toolsGate.changed(tools)) return;
      toolsTable = replace(toolsSection, toolsTable, toolsTableOf(tools.value.tools));
      toolNames = tools.value.tools.map((t) => t.toolName);
      suggest();
    },
    dispose() {},
  };
}

function pagerOf(params, nextCursor) {
  const cursor = params.get('cursor');
  const at = (c) => {
    const next = new URLSearchParams(params);
    if (c) next.set('cursor', c);
    else next.delete('cursor');
    return sessionsHref(next);
  };
  return h('nav', { class: 'pager', 'aria-label': 'Session pages' },
    cursor ? h('a', { href: at(undefined) }, '← First page') : null,
    nextCursor ? h('a', { href: at(nextCursor), rel: 'next' }, 'Next page →') : null,
  );
}

function toolsTableOf(tools) {
  return dataTable({
    name: 'tools',
    caption: `Every tool, by calls (trend over each tool's last ${TREND_SESSIONS} sessions)`,
    columns: [
      { label: 'Tool' },
      { label: 'Operation' },
      { label: 'Calls', numeric: true },
      { label: 'Error rate', numeric: true },
      { label: 'p50', numeric: true },
      { label: 'p95', numeric: true },
      { label: 'Sessions', numeric: true },
    ],
    rows: tools.map((t) => [
      h('a', { href: toolHref(t.toolName) }, t.toolName),
      t.operationType,
      String(t.calls),
      formatPercent(t.errorRate),
      formatMs(t.p50Ms),
      formatMs(t.p95Ms),
      String(t.sessions),
    ]),
  });
}

function clampLimit(raw) {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 500 ? n : DEFAULT_PAGE_SIZE;
}
