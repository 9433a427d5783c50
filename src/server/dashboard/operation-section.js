// One operation type of a session: each tool's p50/p95/p99 (a log axis when they span orders of
// magnitude) and its error rate split by error type, and the table with the same numbers.

import { chartBox, durationAxis, forLogAxis, upsertChart, axis } from './charts.js';
import { dataTable, h, replace } from './dom.js';
import { errorRate, formatErrorTypes, formatMs, formatPercent } from './format.js';
import { isLogScale } from './latency-scale.js';
import { toolHref } from './routes.js';
import { colors } from './theme.js';

/** Error types' colours: warm and distinct, the most frequent type in the failure red. */
const ERROR_PALETTE = ['failed', '#f28e2b', '#9c755f', '#e377c2', '#edc948', '#8c564b', '#bab0ac'];

/** The title of an operation type's section: tool calls read as such, others by their type. */
export function operationTitle(type) {
  if (type === 'tool-execution') return 'Tool calls';
  if (type === 'llm-call') return 'LLM calls';
  return type;
}

export function createOperationSection(type) {
  const slug = type.replace(/[^A-Za-z0-9_-]/g, '_');
  const tableId = `tools-table-${slug}`;
  const latency = chartBox('latency', `p50, p95 and p99 latency per tool for ${type}; the numbers are in the table below`, tableId);
  const errors = chartBox('error-rate', `Error rate per tool for ${type}, split by error type; the numbers are in the table below`, tableId);
  const tableBox = h('div', { id: tableId, class: 'scroll-x' });
  const errorsFigure = h('figure', {}, h('figcaption', {}, 'Failed calls per tool (%), by error type'), errors.box);
  const noFailures = h('p', { class: 'no-failures', hidden: true }, 'No failed calls.');
  const element = h('section', { class: 'operation panel', 'data-operation': type },
    h('h2', {}, operationTitle(type), ' ', h('code', { class: 'tag' }, type)),
    h('div', { class: 'charts' },
      h('figure', {}, h('figcaption', {}, 'Latency per tool: p50, p95, p99'), latency.box),
      h('div', {}, errorsFigure, noFailures),
    ),
    tableBox,
  );
  let table;
  return {
    element,
    render(stats) {
      const tools = Object.entries(stats.tools).sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : 1));
      const labels = tools.map(([name]) => name);
      const series = (key) => tools.map(([, s]) => s[key]);
      const palette = colors();
      const log = isLogScale([...series('p50Ms'), ...series('p99Ms')]);
      upsertChart(latency.canvas, {
        type: 'bar',
        data: {
          labels,
          datasets: [
            { label: 'p50', data: series('p50Ms').map((v) => forLogAxis(v, log)), backgroundColor: palette.p50, borderRadius: 3, maxBarThickness: 44 },
            { label: 'p95', data: series('p95Ms').map((v) => forLogAxis(v, log)), backgroundColor: palette.p95, borderRadius: 3, maxBarThickness: 44 },
            { label: 'p99', data: series('p99Ms').map((v) => forLogAxis(v, log)), backgroundColor: palette.p99, borderRadius: 3, maxBarThickness: 44 },
          ],
        },
        options: {
          scales: { y: durationAxis('duration', log), x: { grid: { display: false } } },
          plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${formatMs(ctx.raw)}` } } },
        },
      });
      upsertChart(errors.canvas, { type: 'bar', data: { labels, datasets: errorDatasets(tools, palette) }, options: errorOptions() });
      // An operation without failures says so rather than drawing an empty chart.
      const failures = tools.some(([, s]) => s.errors > 0);
      errorsFigure.hidden = !failures;
      noFailures.hidden = failures;
      table = replace(tableBox, table, dataTable({
        name: `tools-${type}`,
        caption: `Per tool: calls, errors and latency (${type})`,
        columns: [
          { label: 'Tool' },
          { label: 'Calls', numeric: true },
          { label: 'Errors', numeric: true },
          { label: 'Error rate', numeric: true },
          { label: 'Error types' },
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
          formatErrorTypes(s.errorTypes),
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

/** One stacked dataset per error type: the share of the tool's calls that failed with it, in %. */
function errorDatasets(tools, palette) {
  const totals = new Map();
  for (const [, s] of tools) for (const [type, n] of Object.entries(s.errorTypes ?? {})) totals.set(type, (totals.get(type) ?? 0) + n);
  const types = [...totals].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1)).map(([type]) => type);
  if (types.length === 0) return [{ label: 'no failures', data: tools.map(() => 0), backgroundColor: palette.failed }];
  return types.map((type, i) => {
    const color = ERROR_PALETTE[i % ERROR_PALETTE.length];
    return {
      label: type,
      data: tools.map(([, s]) => round(((s.errorTypes?.[type] ?? 0) / (s.count || 1)) * 100)),
      backgroundColor: color === 'failed' ? palette.failed : color,
      stack: 'errors',
      borderRadius: 2,
      maxBarThickness: 44,
    };
  });
}

function errorOptions() {
  return {
    scales: { x: { stacked: true, grid: { display: false } }, y: axis('failed calls (%)', { stacked: true, suggestedMax: 10 }) },
    plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.raw}% of calls` } } },
  };
}

function round(n) {
  return Math.round(n * 100) / 100;
}
