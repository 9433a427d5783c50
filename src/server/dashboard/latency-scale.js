// Linear or logarithmic duration axes. `auto` (the default) draws an axis logarithmic when its
// durations span two orders of magnitude or more, where a 45 s call would flatten millisecond
// tools into the floor; the reader can pin either choice, kept for the next visit.

import { h } from './dom.js';

const KEY = 'toolperf.latencyScale';
const CHOICES = [
  ['auto', 'Auto'],
  ['linear', 'Linear'],
  ['log', 'Log'],
];
/** max / min of the durations from which `auto` draws a log axis. */
const AUTO_LOG_RATIO = 100;

function choice() {
  const stored = localStorage.getItem(KEY);
  return CHOICES.some(([value]) => value === stored) ? stored : 'auto';
}

/** Whether an axis showing `values` (milliseconds) is logarithmic under the reader's choice. */
export function isLogScale(values) {
  const chosen = choice();
  if (chosen !== 'auto') return chosen === 'log';
  let min = Infinity;
  let max = 0;
  for (const value of values) {
    if (!(value > 0)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return max / min >= AUTO_LOG_RATIO;
}

/** The control: `Latency axis: Auto | Linear | Log`; `onChange` redraws the page's charts. */
export function latencyScaleControl(onChange) {
  const current = choice();
  const name = `latency-scale-${Math.random().toString(36).slice(2, 8)}`;
  const options = CHOICES.map(([value, label]) => {
    const input = h('input', { type: 'radio', name, value, checked: value === current, 'data-scale': value });
    input.addEventListener('change', () => {
      if (!input.checked) return;
      if (value === 'auto') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, value);
      onChange();
    });
    return h('label', {}, input, h('span', {}, label));
  });
  return h('fieldset', { class: 'segmented', 'data-control': 'latency-scale' },
    h('legend', {}, 'Latency axis'),
    options,
  );
}
