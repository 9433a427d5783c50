// `#/tools/{name}`: one tool across the sessions that used it, on a time axis (each session at
// its start): p50/p95 and error rate, so a regression after a change shows up; and which errors
// it fails with, across every stored session.

import { changeGate, fetchTools } from './api.js';
import { axis, chartBox, destroyCharts, durationAxis, forLogAxis, upsertChart } from './charts.js';
import { dataTable, h, replace, timeElement } from './dom.js';
import { formatErrorTypes, formatMs, formatPercent, formatShortTime, formatTime } from './format.js';
import { isLogScale, latencyScaleControl } from './latency-scale.js';
import { sessionHref } from './routes.js';
import { colors } from './theme.js';

const TREND_SESSIONS = 20;

export function createToolView(root, toolName) {
  const gate = changeGate();
  const body = h('div');
  let matching = [];
  const redraw = () => {
    for (const trend of matching) sections.get(trend.operationType)?.update(trend);
  };
  root.append(
    h('h1', {}, 'Tool ', h('code', {}, toolName)),
    h('div', { class: 'toolbar' }, h('p', { class: 'hint' }, `Each point is one session, at its start (the last ${TREND_SESSIONS} sessions that used the tool).`), latencyScaleControl(redraw)),
    body,
  );
  const sections = new Map();

  return {
    title: `Tool ${toolName}`,
    async update() {
      const answer = await fetchTools(TREND_SESSIONS);
      if (!gate.changed(answer)) return;
      matching = answer.value.tools.filter((t) => t.toolName === toolName);
      if (matching.length === 0) {
        destroyCharts(body);
        sections.clear();
        body.replaceChildren(h('p', { class: 'missing' }, 'No stored session used this tool.'));
        return;
      }
      if (sections.size === 0) body.replaceChildren();
      for (const trend of matching) {
        if (!sections.has(trend.operationType)) {
          const section = trendSection(trend.operationType);
          sections.set(trend.operationType, section);
          body.append(section.element);
        }
      }
      redraw();
    },
    redraw,
    dispose() {
      destroyCharts(root);
    },
  };
}

/** The time axis's ends: the first and last session's start, a twentieth of the span (or an hour) beyond. */
function paddedRange(points) {
  const times = points.map((p) => Date.parse(p.startedAt));
  const min = Math.min(...times);
  const max = Math.max(...times);
  const pad = Math.max((max - min) / 20, 3_600_000);
  return { min: min - pad, max: max + pad };
}

function trendSection(operationType) {
  const slug = operationType.replace(/[^A-Za-z0-9_-]/g, '_');
  const tableId = `trend-table-${slug}`;
  const chart = chartBox('trend', `p50 and p95 latency and error rate by session over time for ${operationType}; the numbers are in the table below`, tableId);
  const errorsChart = chartBox('error-types', `Failed calls by error type for ${operationType}; the numbers are in the table beside it`, `error-types-${slug}`);
  const totals = h('p', { class: 'totals' });
  const tableBox = h('div', { id: tableId, class: 'scroll-x' });
  const errorsBox = h('div', { id: `error-types-${slug}` });
  const element = h('section', { 'data-operation': operationType, class: 'panel' },
    h('h2', {}, 'Operation ', h('code', { class: 'tag' }, operationType)),
    totals,
    h('div', { class: 'charts' },
      h('figure', {}, h('figcaption', {}, 'Latency (left axis) and error rate (%, right axis) by session, over time'), chart.box),
      h('figure', {}, h('figcaption', {}, 'Failed calls by error type, all stored sessions'), errorsChart.box, errorsBox),
    ),
    tableBox,
  );
  let table;
  let errorsTable;
  return {
    element,
    update(trend) {
      const palette = colors();
      totals.textContent =
        `${trend.calls} calls in ${trend.sessions} sessions, error rate ${formatPercent(trend.errorRate)}, ` +
        `p50 ${formatMs(trend.p50Ms)}, p95 ${formatMs(trend.p95Ms)}.`;
      const points = trend.trend;
      const log = isLogScale(points.flatMap((p) => [p.p50Ms, p.p95Ms]));
      const at = (p, value) => ({ x: Date.parse(p.startedAt), y: value, sessionId: p.sessionId });
      upsertChart(chart.canvas, {
        type: 'line',
        data: {
          datasets: [
            { label: 'p50', data: points.map((p) => at(p, forLogAxis(p.p50Ms, log))), borderColor: palette.p50, backgroundColor: palette.p50, yAxisID: 'y' },
            { label: 'p95', data: points.map((p) => at(p, forLogAxis(p.p95Ms, log))), borderColor: palette.p95, backgroundColor: palette.p95, yAxisID: 'y' },
            {
              label: 'error rate (%)',
              data: points.map((p) => at(p, Math.round(p.errorRate * 10_000) / 100)),
              borderColor: palette.failed,
              backgroundColor: palette.failed,
              borderDash: [4, 4],
              yAxisID: 'errors',
            },
          ],
        },
        options: {
          scales: {
            x: { type: 'linear', ...paddedRange(points), title: { display: true, text: 'session start' }, ticks: { callback: (value) => formatShortTime(value), maxTicksLimit: 6 } },
            y: durationAxis('duration', log, { position: 'left' }),
            errors: axis('failed calls (%)', { position: 'right', suggestedMax: 10, grid: { drawOnChartArea: false } }),
          },
          plugins: {
            tooltip: {
              callbacks: {
                title: (items) => (items[0] ? `${items[0].raw.sessionId}, ${formatShortTime(items[0].raw.x)}` : ''),
                label: (ctx) => (ctx.dataset.yAxisID === 'errors' ? `error rate ${ctx.raw.y}%` : `${ctx.dataset.label} ${formatMs(ctx.raw.y)}`),
              },
            },
          },
        },
      });
      const types = Object.entries(trend.errorTypes ?? {}).sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1));
      errorsChart.box.style.height = `${70 + Math.max(1, types.length) * 34}px`;
      upsertChart(errorsChart.canvas, {
        type: 'bar',
        data: { labels: types.map(([type]) => type), datasets: [{ label: 'failed calls', data: types.map(([, n]) => n), backgroundColor: palette.failed, borderRadius: 3, maxBarThickness: 24 }] },
        options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: axis('failed calls', { ticks: { precision: 0 } }), y: { grid: { display: false } } } },
      });
      errorsTable = replace(errorsBox, errorsTable, dataTable({
        name: `error-types-${operationType}`,
        caption: types.length ? `Failed calls by error type: ${formatErrorTypes(trend.errorTypes)}` : 'No failed calls.',
        columns: [{ label: 'Error type' }, { label: 'Failed calls', numeric: true }, { label: 'Share of failures', numeric: true }],
        rows: types.map(([type, n]) => [type, String(n), formatPercent(trend.errors ? n / trend.errors : 0)]),
      }));
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
