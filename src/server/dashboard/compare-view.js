// `#/compare?a=&b=`: two sessions side by side, per tool: calls, p50/p95/p99 and error rate on
// both sides, the change from A to B, and whether the server's rank test on the two sessions'
// sketches calls the difference significant, so that noise is not read as a regression.

import { ApiError, changeGate, fetchComparison, fetchSessions } from './api.js';
import { chartBox, destroyCharts, durationAxis, forLogAxis, upsertChart } from './charts.js';
import { h, replace } from './dom.js';
import { formatChange, formatMs, formatPercent } from './format.js';
import { isLogScale, latencyScaleControl } from './latency-scale.js';
import { compareHref, sessionHref } from './routes.js';
import { colors } from './theme.js';

export function createCompareView(root, params) {
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  const gate = changeGate();
  const form = pickForm(a, b);
  const body = h('div');
  root.append(h('h1', {}, 'Compare sessions'), form.element, body);
  let comparison;
  let table;
  let chart;

  const render = () => {
    if (comparison === undefined) return;
    const tools = toolsOf(comparison);
    if (chart === undefined) {
      chart = chartBox('compare', 'p50 and p95 latency per tool in session A and in session B; the numbers are in the table below', 'compare-table');
      body.replaceChildren(
        h('div', { class: 'toolbar' }, latencyScaleControl(render)),
        h('section', { class: 'panel' }, h('figure', {}, h('figcaption', {}, 'p50 and p95 per tool, A against B'), chart.box)),
        h('section', { class: 'panel', id: 'compare-table' }),
      );
    }
    drawChart(chart.canvas, tools);
    const tableBox = body.querySelector('#compare-table');
    table = replace(tableBox, table, comparisonTable(tools, a, b));
  };

  return {
    title: a && b ? `Compare ${a} and ${b}` : 'Compare sessions',
    async update() {
      const [sessions] = await Promise.all([
        fetchSessions(new URLSearchParams({ limit: '200' })).catch(() => ({ value: { sessions: [] } })),
        a && b ? refresh() : Promise.resolve(),
      ]);
      form.suggest(sessions.value.sessions.map((s) => s.sessionId));
      if (!(a && b) && body.childElementCount === 0) body.append(h('p', { class: 'hint' }, 'Pick two sessions: A, the baseline, and B, the one to compare with it. Tick two sessions in the session list, or type their IDs.'));
    },
    redraw: render,
    dispose() {
      destroyCharts(root);
    },
  };

  async function refresh() {
    let answer;
    try {
      answer = await fetchComparison(a, b);
    } catch (error) {
      if (!(error instanceof ApiError && (error.status === 404 || error.status === 400))) throw error;
      // A session that is not there (or an ID that cannot be one): said on the page, asked again next poll.
      gate.reset();
      destroyCharts(body);
      chart = undefined;
      table = undefined;
      comparison = undefined;
      body.replaceChildren(h('p', { class: 'missing', 'data-page': 'compare-problem' }, error.message));
      return;
    }
    if (!gate.changed(answer)) return;
    comparison = answer.value;
    render();
  }
}

/** The two session fields and the button; the datalist suggests the stored sessions' IDs. */
function pickForm(a, b) {
  const list = h('datalist', { id: 'compare-sessions' });
  const input = (name, value, label) => h('label', { class: 'field' }, h('span', {}, label), h('input', { name, value, list: 'compare-sessions', required: true, autocomplete: 'off', spellcheck: 'false', 'data-side': name }));
  const element = h('form', { class: 'filters', 'aria-label': 'Sessions to compare' },
    input('a', a, 'A (baseline)'),
    input('b', b, 'B'),
    h('button', { type: 'submit', class: 'button primary' }, 'Compare'),
    list,
  );
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(element);
    location.hash = compareHref(String(data.get('a')).trim(), String(data.get('b')).trim());
  });
  return {
    element,
    suggest(ids) {
      const key = ids.join('\u0000');
      if (list.dataset.ids === key) return;
      list.dataset.ids = key;
      list.replaceChildren(...ids.map((id) => h('option', { value: id })));
    },
  };
}

/** `[{ toolName, operationType, a?, b?, significant, direction }]` from the API's answer, most calls first. */
export function toolsOf(comparison) {
  return (comparison.tools ?? [])
    .map((t) => {
      const sideA = t.a ?? undefined;
      const sideB = t.b ?? undefined;
      const slower = sideA && sideB ? sideB.p50Ms > sideA.p50Ms : undefined;
      return { ...t, a: sideA, b: sideB, direction: t.direction ?? (slower === undefined ? undefined : slower ? 'slower' : 'faster') };
    })
    .sort((x, y) => (y.a?.count ?? 0) + (y.b?.count ?? 0) - ((x.a?.count ?? 0) + (x.b?.count ?? 0)) || (x.toolName < y.toolName ? -1 : 1));
}

function drawChart(canvas, tools) {
  const palette = colors();
  const values = tools.flatMap((t) => [t.a?.p50Ms, t.a?.p95Ms, t.b?.p50Ms, t.b?.p95Ms]).filter((v) => v !== undefined);
  const log = isLogScale(values);
  const series = (side, key) => tools.map((t) => forLogAxis(t[side]?.[key] ?? null, log));
  upsertChart(canvas, {
    type: 'bar',
    data: {
      labels: tools.map((t) => t.toolName),
      datasets: [
        { label: 'A p50', data: series('a', 'p50Ms'), backgroundColor: palette.a, borderRadius: 3 },
        { label: 'A p95', data: series('a', 'p95Ms'), backgroundColor: `${palette.a}99`, borderRadius: 3 },
        { label: 'B p50', data: series('b', 'p50Ms'), backgroundColor: palette.b, borderRadius: 3 },
        { label: 'B p95', data: series('b', 'p95Ms'), backgroundColor: `${palette.b}99`, borderRadius: 3 },
      ],
    },
    options: {
      scales: { y: durationAxis('duration', log), x: { grid: { display: false } } },
      plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${formatMs(ctx.raw)}` } } },
    },
  });
}

/** `3.20 ms → 9.61 ms` with the change below it. */
function sides(a, b, format, change) {
  return h('div', { class: 'sides' },
    h('span', {}, a === undefined ? '–' : format(a), h('span', { class: 'arrow' }, ' → '), b === undefined ? '–' : format(b)),
    change === undefined ? null : h('span', { class: `change ${change > 0 ? 'up' : change < 0 ? 'down' : ''}` }, formatChange(change)),
  );
}

function ratio(a, b) {
  if (a === undefined || b === undefined || a === 0) return undefined;
  return (b - a) / a;
}

function verdict(tool) {
  if (tool.a === undefined) return h('span', { class: 'badge' }, 'only in B');
  if (tool.b === undefined) return h('span', { class: 'badge' }, 'only in A');
  if (!tool.significant) return h('span', { class: 'badge quiet', title: 'The rank test finds no difference beyond noise' }, 'no significant change');
  return tool.direction === 'slower'
    ? h('span', { class: 'badge regressed', title: 'B is slower, and the rank test says it is not noise' }, 'slower ▲')
    : h('span', { class: 'badge improved', title: 'B is faster, and the rank test says it is not noise' }, 'faster ▼');
}

function comparisonTable(tools, a, b) {
  const errorRate = (s) => (s === undefined ? undefined : s.count === 0 ? 0 : s.errors / s.count);
  const rows = tools.map((t) =>
    h('tr', { 'data-tool': t.toolName, 'data-significant': String(Boolean(t.significant)) },
      h('th', { scope: 'row' }, t.toolName, t.operationType && t.operationType !== 'tool-execution' ? h('span', { class: 'muted' }, ` (${t.operationType})`) : null),
      h('td', { class: 'num' }, `${t.a?.count ?? 0} / ${t.b?.count ?? 0}`),
      ...['p50Ms', 'p95Ms', 'p99Ms'].map((key) => h('td', { class: 'num' }, sides(t.a?.[key], t.b?.[key], formatMs, ratio(t.a?.[key], t.b?.[key])))),
      h('td', { class: 'num' }, sides(errorRate(t.a), errorRate(t.b), formatPercent)),
      h('td', {}, verdict(t)),
    ),
  );
  const column = (label, numeric) => h('th', { scope: 'col', class: numeric ? 'num' : undefined }, label);
  return h('table', { 'data-table': 'compare' },
    h('caption', {}, 'Per tool: A ', h('a', { href: sessionHref(a) }, a), ' against B ', h('a', { href: sessionHref(b) }, b)),
    h('thead', {}, h('tr', {}, column('Tool'), column('Calls A / B', true), column('p50', true), column('p95', true), column('p99', true), column('Error rate', true), column('Significance'))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'Neither session has calls.'))),
  );
}
