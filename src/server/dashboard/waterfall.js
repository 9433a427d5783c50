// The recent calls over wall time as a waterfall: each call a bar from its start to its end,
// calls that ran at the same time in lanes below each other, so parallel tool calls show as a
// stack. Tools share one set of lanes, LLM and other operations have their own, above them.

import { callSeries } from './call-series.js';
import { callTooltipLines } from './call-details.js';
import { axis, chartBox, seriesLegend, upsertChart } from './charts.js';
import { h } from './dom.js';
import { colors } from './theme.js';
import { pointer, selectFrom } from './timeline.js';

/** Lanes per group; past them a call goes to the lane that frees first (drawn overlapping). */
export const MAX_LANES = 24;
const LANE_PX = 24;

/**
 * Assigns each call a lane: the first lane free when it starts (greedy interval partitioning,
 * which uses the fewest lanes). Returns `{ lanes, laneOf: Map<call, index> }`.
 */
export function assignLanes(calls) {
  const sorted = calls
    .map((call) => ({ call, start: Date.parse(call.startedAt), end: Date.parse(call.startedAt) + call.durationMs }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const laneEnds = [];
  const laneOf = new Map();
  for (const { call, start, end } of sorted) {
    let lane = laneEnds.findIndex((laneEnd) => laneEnd <= start);
    if (lane === -1 && laneEnds.length < MAX_LANES) lane = laneEnds.push(end) - 1;
    if (lane === -1) lane = laneEnds.indexOf(Math.min(...laneEnds));
    laneEnds[lane] = Math.max(laneEnds[lane], end);
    laneOf.set(call, lane);
  }
  return { lanes: laneEnds.length, laneOf };
}

export function createWaterfall(onSelect) {
  const chart = chartBox('waterfall', 'Recent calls over wall time, parallel calls in lanes below each other, coloured by tool; the numbers are in the recent calls table', 'recent-calls');
  const section = h('section', { 'aria-labelledby': 'waterfall-heading', class: 'panel' },
    h('h2', { id: 'waterfall-heading' }, 'Waterfall'),
    h('p', { class: 'hint' }, 'Calls over wall time. Calls that overlapped run in lanes below each other; LLM and other operations have lanes of their own, on top.'),
    h('figure', {}, chart.box),
  );
  return {
    section,
    render(report) {
      const start = Date.parse(report.startedAt);
      const series = callSeries(report);
      const { failed } = colors();
      // One set of lanes for the tools, one per other operation type.
      const groups = new Map();
      for (const s of series) {
        const group = s.isTool ? 'tools' : s.label;
        groups.set(group, [...(groups.get(group) ?? []), ...s.calls]);
      }
      const order = [...groups.keys()].sort((a, b) => (a === 'tools') - (b === 'tools') || (a < b ? -1 : 1));
      const labels = [];
      const laneLabelOf = new Map();
      for (const group of order) {
        const { lanes, laneOf } = assignLanes(groups.get(group));
        for (let lane = 0; lane < lanes; lane++) labels.push(`${group} ${lane + 1}`);
        for (const [call, lane] of laneOf) laneLabelOf.set(call, `${group} ${lane + 1}`);
      }
      chart.box.style.height = `${Math.max(140, 56 + labels.length * LANE_PX)}px`;
      const datasets = series.map((s) => ({
        label: s.label,
        data: s.calls.map((call) => {
          const from = (Date.parse(call.startedAt) - start) / 1000;
          return { x: [from, from + call.durationMs / 1000], y: laneLabelOf.get(call), call };
        }),
        backgroundColor: s.color,
        borderColor: s.calls.map((call) => (call.ok ? s.color : failed)),
        borderWidth: s.calls.map((call) => (call.ok ? 0 : 2)),
        borderSkipped: false,
        grouped: false,
        barPercentage: 0.8,
        categoryPercentage: 1,
        minBarLength: 3,
      }));
      upsertChart(chart.canvas, {
        type: 'bar',
        data: { labels, datasets },
        options: {
          indexAxis: 'y',
          scales: {
            x: axis('seconds since the session started', { type: 'linear', beginAtZero: false }),
            y: { type: 'category', title: { display: true, text: 'lane' }, grid: { display: false } },
          },
          plugins: {
            legend: { labels: seriesLegend(series.map((s) => s.color), series.map(() => 'rect')) },
            tooltip: { callbacks: { title: () => '', label: (ctx) => callTooltipLines(ctx.raw.call, start) } },
          },
          onClick: (_event, elements, instance) => selectFrom(elements, instance, onSelect),
          onHover: (event, elements) => pointer(event, elements),
        },
      });
    },
  };
}
