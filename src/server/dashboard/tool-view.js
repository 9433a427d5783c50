// `#/tools/{name}`: one tool across the sessions that used it, oldest first: p50/p95 and error rate
// by session, so a regression after a change shows up.

import { fetchTools } from './api.js';
import { axis, chartBox, COLORS, destroyCharts, upsertChart } from './charts.js';
import { dataTable, h, replace, timeElement } from './dom.js';
import { formatMs, formatPercent, formatTime } from './format.js';
import { sessionHref } from './routes.js';

const TREND_SESSIONS = 20;

export function createToolView(root, toolName) {
  const heading = h('h1', {}, 'Tool ', h('code', {}, toolName));
  const intro = h('p', {}, `Each point is one session, oldest first (the last ${TREND_SESSIONS} sessions that used the tool).`);
  const body = h('div');
  root.append(heading, intro, body);
  const sections = new Map();

  return {
    title: `Tool ${toolName}`,
    async update() {
      const { tools } = await fetchTools(TREND_SESSIONS);
      const matching = tools.filter((t) => t.toolName === toolName);
      if (matching.length === 0) {
        destroyCharts(body);
        sections.clear();
        body.replaceChildren(h('p', {}, 'No stored session used this tool.'));
        return;
      }
      if (sections.size === 0) body.replaceChildren();
      for (const trend of matching) {
        let section = sections.get(trend.operationType);
        if (section === undefined) {
          section = trendSection(trend.operationType);
          sections.set(trend.operationType, section);
          body.append(section.element);
        }
        section.update(trend);
      }
    },
    dispose() {
      destroyCharts(root);
    },
  };
}

function trendSection(operationType) {
  const slug = operationType.replace(/[^A-Za-z0-9_-]/g, '_');
  const tableId = `trend-table-${slug}`;
  const chart = chartBox('trend', `p50 and p95 latency and error rate by session for ${operationType}; the numbers are in the table below`, tableId);
  const totals = h('p', { class: 'totals' });
  const tableBox = h('div', { id: tableId });
  const element = h('section', { 'data-operation': operationType },
    h('h2', {}, 'Operation ', h('code', {}, operationType)),
    totals,
    h('figure', {}, h('figcaption', {}, 'Latency (ms, left axis) and error rate (%, right axis) by session'), chart.box),
    tableBox,
  );
  let table;
  return {
    element,
    update(trend) {
      totals.textContent =
        `${trend.calls} calls in ${trend.sessions} sessions, error rate ${formatPercent(trend.errorRate)}, ` +
        `p50 ${formatMs(trend.p50Ms)}, p95 ${formatMs(trend.p95Ms)}.`;
      const points = trend.trend;
      upsertChart(chart.canvas, {
        type: 'line',
        data: {
          labels: points.map((p) => shortId(p.sessionId)),
          datasets: [
            { label: 'p50 (ms)', data: points.map((p) => p.p50Ms), borderColor: COLORS.p50, backgroundColor: COLORS.p50, yAxisID: 'y' },
            { label: 'p95 (ms)', data: points.map((p) => p.p95Ms), borderColor: COLORS.p95, backgroundColor: COLORS.p95, yAxisID: 'y' },
            {
              label: 'error rate (%)',
              data: points.map((p) => Math.round(p.errorRate * 10_000) / 100),
              borderColor: COLORS.errorRate,
              backgroundColor: COLORS.errorRate,
              borderDash: [4, 4],
              yAxisID: 'errors',
            },
          ],
        },
        options: {
          scales: {
            x: { title: { display: true, text: 'session (oldest first)' } },
            y: axis('duration (ms)', { position: 'left' }),
            errors: axis('failed calls (%)', { position: 'right', suggestedMax: 100, grid: { drawOnChartArea: false } }),
          },
        },
      });
      table = replace(tableBox, table, dataTable({
        name: `trend-${operationType}`,
        caption: 'By session, oldest first',
        columns: [
          { label: 'Session' },
          { label: 'Started' },
          { label: 'Calls', numeric: true },
          { label: 'Error rate', numeric: true },
          { label: 'p50', numeric: true },
          { label: 'p95', numeric: true },
        ],
        rows: points.map((p) => [
          h('a', { href: sessionHref(p.sessionId) }, p.sessionId),
          timeElement(p.startedAt, formatTime(p.startedAt)),
          String(p.calls),
          formatPercent(p.errorRate),
          formatMs(p.p50Ms),
          formatMs(p.p95Ms),
        ]),
      }));
    },
  };
}

function shortId(sessionId) {
  return sessionId.length > 16 ? `${sessionId.slice(0, 15)}…` : sessionId;
}
