// Chart.js (its UMD build, loaded before the modules, sets `Chart` on the window). Charts are
// updated in place when their data changes, so a running session's charts move instead of blinking.

import { h } from './dom.js';
import { formatMs } from './format.js';

/**
 * A canvas in a sized box, labelled for screen readers; `describedBy` names the table that holds
 * the same numbers.
 */
export function chartBox(name, label, describedBy) {
  const canvas = h('canvas', { role: 'img', 'aria-label': label, 'aria-describedby': describedBy, 'data-chart': name });
  return { box: h('div', { class: 'chart' }, canvas), canvas };
}

function fullOptions(options) {
  return { animation: false, responsive: true, maintainAspectRatio: false, ...options };
}

/** Draws `config` on `canvas`, or updates the chart already there with its labels, datasets and options. */
export function upsertChart(canvas, config) {
  const existing = globalThis.Chart.getChart(canvas);
  if (existing === undefined) return new globalThis.Chart(canvas, { ...config, options: fullOptions(config.options) });
  existing.data.labels = config.data.labels;
  const datasets = existing.data.datasets;
  config.data.datasets.forEach((dataset, i) => {
    if (datasets[i]) Object.assign(datasets[i], dataset);
    else datasets.push(dataset);
  });
  datasets.length = config.data.datasets.length;
  existing.options = fullOptions(config.options);
  existing.update('none');
  return existing;
}

export function destroyCharts(root) {
  for (const canvas of root.querySelectorAll('canvas')) globalThis.Chart.getChart(canvas)?.destroy();
}

/** A value axis with its title and unit. */
export function axis(title, extra = {}) {
  return { beginAtZero: true, title: { display: true, text: title }, ...extra };
}

/**
 * A duration axis in milliseconds, logarithmic when `log`: then labelled at powers of ten only
 * (1 ms, 10 ms, 100 ms, 1 s, ...), with the other grid lines left unlabelled.
 */
export function durationAxis(title, log, extra = {}) {
  if (!log) return { ...axis(title), ticks: { callback: (value) => (value === 0 ? '0' : formatMs(value)) }, ...extra };
  return {
    type: 'logarithmic',
    title: { display: true, text: `${title} (ms, log scale)` },
    ticks: { autoSkip: false, callback: (value) => (isPowerOfTen(value) ? formatMs(value) : '') },
    // Grid lines at the decades only: nine lines a decade read as noise.
    grid: { color: (ctx) => (isPowerOfTen(ctx.tick?.value) ? globalThis.Chart.defaults.borderColor : 'transparent') },
    ...extra,
  };
}

function isPowerOfTen(value) {
  return typeof value === 'number' && value > 0 && Math.abs(Math.log10(value) - Math.round(Math.log10(value))) < 1e-9;
}

/** A positive floor for values drawn on a log axis, where 0 has no place. */
export function forLogAxis(value, log) {
  return log && typeof value === 'number' && value <= 0 ? 0.001 : value;
}

/**
 * Legend labels for per-series charts whose point styles vary per point (failures): each entry in
 * its series' colour and shape (`shapes[i]` for the i-th series), whatever its first point looks like.
 */
export function seriesLegend(colors, shapes) {
  return {
    usePointStyle: true,
    generateLabels: (chart) =>
      globalThis.Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => ({
        ...item,
        pointStyle: shapes[item.datasetIndex],
        fillStyle: colors[item.datasetIndex],
        strokeStyle: colors[item.datasetIndex],
        lineWidth: 1,
      })),
  };
}
