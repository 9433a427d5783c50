// The recent calls over the session: when each started (x) against how long it took (y), one
// colour per tool, LLM and other operations as triangles apart from the tools, failures as
// crosses. Hover shows the call; a click opens its details.

import { callSeries } from './call-series.js';
import { callTooltipLines } from './call-details.js';
import { axis, chartBox, durationAxis, forLogAxis, seriesLegend, upsertChart } from './charts.js';
import { h } from './dom.js';
import { isLogScale } from './latency-scale.js';
import { colors } from './theme.js';

/** `onSelect(call)` is told which call the reader clicked. */
export function createTimeline(onSelect) {
  const chart = chartBox('timeline', 'Recent calls: start time against duration, coloured by tool, failed calls marked with a cross; the numbers are in the recent calls table', 'recent-calls');
  const section = h('section', { 'aria-labelledby': 'timeline-heading', class: 'panel' },
    h('h2', { id: 'timeline-heading' }, 'Timeline'),
    h('p', { class: 'hint' }, 'Each call: when it started and how long it took. Circles are tool calls (× failed), triangles LLM and other operations. Click a legend entry to hide a tool.'),
    h('figure', {}, chart.box),
  );
  return {
    section,
    render(report) {
      const start = Date.parse(report.startedAt);
      const { failed } = colors();
      const log = isLogScale(report.recent.map((c) => c.durationMs));
      // Per-point styles as arrays (Chart.js's indexable options): cheaper than a function per point.
      const all = callSeries(report);
      const datasets = all.map((series) => {
        const failedAt = series.calls.map((call) => !call.ok);
        return {
          label: series.label,
          data: series.calls.map((call) => ({ x: (Date.parse(call.startedAt) - start) / 1000, y: forLogAxis(call.durationMs, log), call })),
          backgroundColor: series.color,
          borderColor: failedAt.map((f) => (f ? failed : series.color)),
          pointStyle: failedAt.map((f) => (f ? 'crossRot' : series.isTool ? 'circle' : 'triangle')),
          pointRadius: failedAt.map((f) => (f ? 6 : series.isTool ? 3.5 : 5)),
          pointHoverRadius: 7,
          borderWidth: failedAt.map((f) => (f ? 2.5 : 1)),
        };
      });
      upsertChart(chart.canvas, {
        type: 'scatter',
        data: { datasets },
        options: {
          scales: { x: axis('seconds since the session started', { beginAtZero: false }), y: durationAxis('duration', log) },
          plugins: {
            legend: { labels: seriesLegend(all.map((s) => s.color), all.map((s) => (s.isTool ? 'circle' : 'triangle'))) },
            tooltip: { callbacks: { title: () => '', label: (ctx) => callTooltipLines(ctx.raw.call, start) } },
          },
          onClick: (_event, elements, instance) => selectFrom(elements, instance, onSelect),
          onHover: (event, elements) => pointer(event, elements),
        },
      });
    },
  };
}

/** Tells `onSelect` the call under the first element clicked, if any. */
export function selectFrom(elements, instance, onSelect) {
  const [first] = elements;
  if (first === undefined) return;
  const call = instance.data.datasets[first.datasetIndex]?.data[first.index]?.call;
  if (call !== undefined) onSelect(call);
}

/** A hand over something clickable. */
export function pointer(event, elements) {
  const canvas = event.native?.target;
  if (canvas) canvas.style.cursor = elements.length > 0 ? 'pointer' : 'default';
}
