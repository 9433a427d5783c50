// Colours come from the style sheet's custom properties, so that the charts follow the page into
// dark mode (`prefers-color-scheme`) and back without a colour written twice.

const darkQuery = matchMedia('(prefers-color-scheme: dark)');

/**
 * Tools' colours, in order of calls: distinct hues, none of them the red of a failure or the
 * violet of LLM calls.
 */
const TOOL_PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#bab0ac', '#86bcb6', '#d4a6c8'];

/** A custom property of the page's root, e.g. `cssColor('failed')` for `--failed`. */
export function cssColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(`--${name}`).trim();
}

/** The charts' named colours in the current scheme. */
export function colors() {
  return {
    p50: cssColor('p50'),
    p95: cssColor('p95'),
    p99: cssColor('p99'),
    failed: cssColor('failed'),
    llm: cssColor('llm'),
    surface: cssColor('bg'),
    a: cssColor('side-a'),
    b: cssColor('side-b'),
  };
}

/** The colour of the `index`-th tool (tools keep their colour across a page's charts). */
export function paletteColor(index) {
  return TOOL_PALETTE[index % TOOL_PALETTE.length];
}

/** Chart.js's defaults (text, grid lines, font) from the current scheme. */
export function applyChartTheme() {
  const { Chart } = globalThis;
  Chart.defaults.color = cssColor('muted');
  Chart.defaults.borderColor = cssColor('grid');
  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  Chart.defaults.plugins.legend.labels.boxHeight = 12;
  Chart.defaults.plugins.tooltip.backgroundColor = cssColor('tooltip');
}

/** Calls `listener` after the scheme changed (the charts' defaults already follow). */
export function onThemeChange(listener) {
  darkQuery.addEventListener('change', () => {
    applyChartTheme();
    listener();
  });
}
