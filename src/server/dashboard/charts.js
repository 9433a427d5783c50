// Chart.js (its UMD build, loaded before the modules, sets `Chart` on the window). Charts are
// updated in place when the page polls, so a running session's charts move instead of blinking.

import { h } from './dom.js';

export const COLORS = {
  p50: '#4e79a7',
  p95: '#f28e2b',
  p99: '#b6452c',
  ok: '#4e79a7',
  failed: '#d62728',
  errorRate: '#d62728',
};

/**
 * A canvas in a sized box, labelled for screen readers; `describedBy` names the table that holds
 * the same numbers.
 */
export function chartBox(name, label, describedBy) {
  const canvas = h('canvas', { role: 'img', 'aria-label': label, 'aria-describedby': describedBy, 'data-chart': name });
  return { box: h('div', { class: 'chart' }, canvas), canvas };
}

/** Draws `config` on `canvas`, or updates the chart already there with its labels and datasets. */
export function upsertChart(canvas, config) {
  const existing = globalThis.Chart.getChart(canvas);
  if (existing === undefined) {
    return new globalThis.Chart(canvas, {
      ...config,
      options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options },
    });
  }
  existing.data.labels = config.data.labels;
  const datasets = existing.data.datasets;
  config.data.datasets.forEach((dataset, i) => {
    if (datasets[i]) Object.assign(datasets[i], dataset);
    else datasets.push(dataset);
  });
  datasets.length = config.data.datasets.length;
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
