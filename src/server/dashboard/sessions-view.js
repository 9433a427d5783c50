// `#/`: the sessions, newest first, paged; and every tool across them.

import { fetchSessions, fetchTools } from './api.js';
import { dataTable, h, replace, timeElement } from './dom.js';
import { formatMs, formatPercent, formatTime } from './format.js';
import { sessionHref, toolHref } from './routes.js';

const DEFAULT_PAGE_SIZE = 25;
const TREND_SESSIONS = 20;

export function createSessionsView(root, params) {
  const limit = clampLimit(params.get('limit'));
  const cursor = params.get('cursor') ?? undefined;
  const sessionsSection = h('section', { 'aria-labelledby': 'sessions-heading' }, h('h1', { id: 'sessions-heading' }, 'Sessions'));
  const toolsSection = h('section', { 'aria-labelledby': 'tools-heading' }, h('h2', { id: 'tools-heading' }, 'Tools across sessions'));
  root.append(sessionsSection, toolsSection);
  let sessionsTable;
  let pager;
  let toolsTable;

  return {
    title: 'Sessions',
    async update() {
      const [page, { tools }] = await Promise.all([fetchSessions(limit, cursor), fetchTools(TREND_SESSIONS)]);
      sessionsTable = replace(sessionsSection, sessionsTable, sessionsTableOf(page.sessions));
      pager = replace(sessionsSection, pager, pagerOf(limit, cursor, page.nextCursor));
      toolsTable = replace(toolsSection, toolsTable, toolsTableOf(tools));
    },
    dispose() {},
  };
}

function sessionsTableOf(sessions) {
  return dataTable({
    name: 'sessions',
    caption: 'Sessions by last activity, newest first',
    columns: [
      { label: 'Session' },
      { label: 'Status' },
      { label: 'Agent' },
      { label: 'Started' },
      { label: 'Last activity' },
      { label: 'Calls', numeric: true },
      { label: 'Errors', numeric: true },
    ],
    rows: sessions.map((s) => [
      h('a', { href: sessionHref(s.sessionId) }, s.sessionId),
      statusBadge(s.status),
      agentLabel(s.agent),
      timeElement(s.startedAt, formatTime(s.startedAt)),
      timeElement(s.updatedAt, formatTime(s.updatedAt)),
      String(s.calls),
      String(s.errors),
    ]),
  });
}

/** `claude-code 2.1.332`, or `-` for a session no agent named (a wrapped tool's). */
export function agentLabel(agent) {
  if (agent === undefined) return '-';
  return agent.version === undefined ? agent.name : `${agent.name} ${agent.version}`;
}

const STATUS_TITLES = {
  active: 'A call within the idle threshold',
  idle: 'No call for longer than the idle threshold',
  ended: 'Ended',
};

/** The server's `status` of a session: `active`, `idle` or `ended` (computed when it answered). */
export function statusBadge(status) {
  const known = Object.hasOwn(STATUS_TITLES, status) ? status : 'idle';
  return h('span', { class: `badge ${known}`, title: STATUS_TITLES[known] }, known);
}

function pagerOf(limit, cursor, nextCursor) {
  const query = (c) => `#/?${new URLSearchParams({ limit: String(limit), ...(c ? { cursor: c } : {}) })}`;
  return h('nav', { class: 'pager', 'aria-label': 'Session pages' },
    cursor ? h('a', { href: query(undefined) }, '← Newest') : null,
    nextCursor ? h('a', { href: query(nextCursor), rel: 'next' }, 'Older sessions →') : null,
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
