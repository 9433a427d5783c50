// `#/sessions/{id}`: per operation type, each tool's p50/p95/p99 and error rate; the recent calls
// on a timeline. Every chart has a table with the same numbers.

import { fetchReport } from './api.js';
import { axis, chartBox, COLORS, destroyCharts, upsertChart } from './charts.js';
import { dataTable, h, replace, timeElement } from './dom.js';
import { errorRate, formatMs, formatPercent, formatSeconds, formatTime } from './format.js';
import { toolHref } from './routes.js';
import { agentLabel, statusBadge } from './sessions-view.js';

export function createSessionView(root, sessionId) {
  const heading = h('h1', {}, 'Session ', h('code', {}, sessionId));
  const summaryBox = h('div');
  const operationsBox = h('div');
  const timeline = timelineSection();
  root.append(heading, summaryBox, operationsBox, timeline.section);
  const operations = new Map();

  return {
    title: `Session ${sessionId}`,
    async update() {
      const report = await fetchReport(sessionId);
      summaryBox.replaceChildren(summaryOf(report));
      for (const [type, stats] of Object.entries(report.operations)) {
        let section = operations.get(type);
        if (section === undefined) {
          section = operationSection(type);
          operations.set(type, section);
          operationsBox.append(section.element);
        }
        section.update(stats);
      }
      timeline.update(report);
    },
    dispose() {
      destroyCharts(root);
    },
  };
}

function summaryOf(report) {
  let calls = 0;
  let errors = 0;
  for (const op of Object.values(report.operations)) {
    calls += op.count;
    errors += op.errors;
  }
  const item = (term, ...value) => [h('dt', {}, term), h('dd', {}, ...value)];
  return h('dl', { class: 'summary' },
    item('Status', statusBadge(report.status)),
    item('Agent', agentLabel(report.agent)),
    item('Started', timeElement(report.startedAt, formatTime(report.startedAt))),
    item('Last activity', timeElement(report.updatedAt, formatTime(report.updatedAt))),
    item('Calls', String(calls)),
    item('Errors', `${errors} (${formatPercent(calls ? errors / calls : 0)})`),
  );
}

/** One operation type: latency and error-rate charts per tool, and their table. */
function operationSection(type) {
  const slug = type.replace(/[^A-Za-z0-9_-]/g, '_');
  const tableId = `tools-table-${slug}`;
  const latency = chartBox('latency', `p50, p95 and p99 latency per tool for ${type}; the numbers are in the table below`, tableId);
  const errors = chartBox('error-rate', `Error rate per tool for ${type}; the numbers are in the table below`, tableId);
  const tableBox = h('div', { id: tableId });
  const element = h('section', { class: 'operation', 'data-operation': type },
    h('h2', {}, 'Operation ', h('code', {}, type)),
    h('div', { class: 'charts' },
      h('figure', {}, h('figcaption', {}, 'Latency per tool (ms)'), latency.box),
      h('figure', {}, h('figcaption', {}, 'Error rate per tool (%)'), errors.box),
    ),
    tableBox,
  );
  let table;
  return {
    element,
    update(stats) {
      const tools = Object.entries(stats.tools).sort(([, a], [, b]) => b.count - a.count);
      const labels = tools.map(([name]) => name);
      const series = (key) => tools.map(([, s]) => s[key]);
      upsertChart(latency.canvas, {
        type: 'bar',
        data: {
          labels,
          datasets: [
            { label: 'p50 (ms)', data: series('p50Ms'), backgroundColor: COLORS.p50 },
            { label: 'p95 (ms)', data: series('p95Ms'), backgroundColor: COLORS.p95 },
            { label: 'p99 (ms)', data: series('p99Ms'), backgroundColor: COLORS.p99 },
          ],
        },
        options: { scales: { y: axis('duration (ms)') } },
      });
      upsertChart(errors.canvas, {
        type: 'bar',
        data: {
          labels,
          datasets: [{ label: 'error rate (%)', data: tools.map(([, s]) => round(errorRate(s) * 100)), backgroundColor: COLORS.errorRate }],
        },
        options: { scales: { y: axis('failed calls (%)', { suggestedMax: 100 }) }, plugins: { legend: { display: false } } },
      });
      table = replace(tableBox, table, dataTable({
        name: `tools-${type}`,
        caption: `Per tool: calls, errors and latency (${type})`,
        columns: [
          { label: 'Tool' },
          { label: 'Calls', numeric: true },
          { label: 'Errors', numeric: true },
          { label: 'Error rate', numeric: true },
          { label: 'Mean', numeric: true },
          { label: 'p50', numeric: true },
          { label: 'p95', numeric: true },
          { label: 'p99', numeric: true },
          { label: 'Max', numeric: true },
        ],
        rows: tools.map(([name, s]) => [
          h('a', { href: toolHref(name) }, name),
          String(s.count),
          String(s.errors),
          formatPercent(errorRate(s)),
          formatMs(s.meanMs),
          formatMs(s.p50Ms),
          formatMs(s.p95Ms),
          formatMs(s.p99Ms),
          formatMs(s.maxMs),
        ]),
      }));
    },
  };
}

/** The recent calls: start (seconds into the session) against duration, failures as red crosses. */
function timelineSection() {
  const chart = chartBox('timeline', 'Recent calls: start time against duration, failed calls marked with a cross; the numbers are in the table below', 'recent-calls');
  const details = h('details', { id: 'recent-calls' });
  const section = h('section', { 'aria-labelledby': 'timeline-heading' },
    h('h2', { id: 'timeline-heading' }, 'Recent calls'),
    h('figure', {}, h('figcaption', {}, 'Each call: when it started and how long it took'), chart.box),
    details,
  );
  return {
    section,
    update(report) {
      const start = Date.parse(report.startedAt);
      const points = report.recent.map((call) => ({
        x: (Date.parse(call.startedAt) - start) / 1000,
        y: call.durationMs,
        call,
      }));
      const tooltip = (context) => {
        const { call } = context.raw;
        return `${call.toolName}: ${formatMs(call.durationMs)}${call.ok ? '' : `, failed (${call.errorType ?? 'error'})`}`;
      };
      upsertChart(chart.canvas, {
        type: 'scatter',
        data: {
          datasets: [
            { label: 'succeeded', data: points.filter((p) => p.call.ok), backgroundColor: COLORS.ok, pointRadius: 3 },
            {
              label: 'failed',
              data: points.filter((p) => !p.call.ok),
              borderColor: COLORS.failed,
              backgroundColor: COLORS.failed,
              pointStyle: 'crossRot',
              pointRadius: 6,
              borderWidth: 2,
            },
          ],
        },
        options: {
          scales: { x: axis('seconds since the session started'), y: axis('duration (ms)') },
          plugins: { tooltip: { callbacks: { label: tooltip } } },
        },
      });
      const open = details.open;
      details.replaceChildren(
        h('summary', {}, `The ${report.recent.length} most recent calls as a table`),
        dataTable({
          name: 'recent-calls',
          caption: 'Recent calls, newest first',
          columns: [{ label: 'Started' }, { label: 'Tool' }, { label: 'Operation' }, { label: 'Duration', numeric: true }, { label: 'Result' }],
          rows: points.slice().reverse().map((p) => [
            formatSeconds(p.x),
            p.call.toolName,
            p.call.operationType,
            formatMs(p.call.durationMs),
            p.call.ok ? 'ok' : `failed: ${p.call.errorType ?? 'error'}`,
          ]),
        }),
      );
      details.open = open;
    },
  };
}

function round(n) {
  return Math.round(n * 100) / 100;
}
