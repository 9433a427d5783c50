// `#/compare?a=&b=`: two sessions side by side, per tool: calls, p50/p95/p99 and error rate on
// both sides, the change from A to B, and whether the server's rank test on the two sessions'
// sketches calls the difference significant, so that noise is not read as a regression.

import { ApiError, changeGate, fetchComparison, fetchSessions } from './api.js';
import { chartBox, destroyCharts, durationAxis, forLogAxis, upsertChart } from './charts.js';
import { h } from './dom.js';
import { formatChange, formatDuration, formatMs, formatPercent } from './format.js';
import { isLogScale, latencyScaleControl } from './latency-scale.js';
import { operationTitle } from './operation-section.js';
import { compareHref, sessionHref } from './routes.js';
import { agentLabel, sessionStatus, statusBadge } from './session-status.js';
import { figuresOf } from './session-table.js';
import { colors } from './theme.js';

export function createCompareView(root, params) {
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  const gate = changeGate();
  const form = pickForm(a, b);
  const body = h('div');
  root.append(h('h1', {}, 'Compare sessions'), form.element, body);
  let comparison;
  let chart;

  const render = () => {
    if (comparison === undefined) return;
    const operations = operationsOf(comparison);
    if (chart === undefined) {
      chart = chartBox('compare', 'p50 and p95 latency per tool call in session A and in session B; the numbers are in the tables below', 'compare-tables');
      body.replaceChildren(
        h('dl', { class: 'cards sides-cards' }),
        h('div', { class: 'toolbar' }, latencyScaleControl(render)),
        h('section', { class: 'panel' }, h('figure', {}, h('figcaption', {}, 'p50 and p95 per tool, A against B'), chart.box)),
        h('div', { id: 'compare-tables' }),
      );
    }
    body.querySelector('.sides-cards').replaceChildren(sideCard('A', comparison.a), sideCard('B', comparison.b));
    const tools = operations.find((o) => o.operationType === 'tool-execution')?.tools ?? operations[0]?.tools ?? [];
    drawChart(chart.canvas, tools);
    body.querySelector('#compare-tables').replaceChildren(...operations.map((op) => comparisonTable(op)));
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

/** The operation types of a comparison, tool calls first, then by name. */
export function operationsOf(comparison) {
  return [...(comparison.operations ?? [])].sort(
    (x, y) => (y.operationType === 'tool-execution') - (x.operationType === 'tool-execution') || (x.operationType < y.operationType ? -1 : 1),
  );
}

function drawChart(canvas, tools) {
  const palette = colors();
  const values = tools.flatMap((t) => [t.a?.p50Ms, t.a?.p95Ms, t.b?.p50Ms, t.b?.p95Ms]).filter((v) => typeof v === 'number');
  const log = isLogScale(values);
  const series = (side, key) => tools.map((t) => (t[side] ? forLogAxis(t[side][key], log) : null));
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

/** One side's session: its ID (a link), status, agent and figures. */
function sideCard(side, summary) {
  const figures = figuresOf(summary);
  return h('div', { class: 'card', 'data-side-card': side },
    h('dt', {}, side === 'A' ? 'A · baseline' : 'B'),
    h('dd', {}, h('a', { href: sessionHref(summary.sessionId) }, summary.sessionId), ' ', statusBadge(sessionStatus(summary))),
    h('dd', { class: 'muted' }, `${agentLabel(summary.agent)} · ${figures.toolCalls} tool calls · ${summary.errors} errors · ${formatDuration(figures.durationMs)}`),
  );
}

/** `3.20 ms → 9.61 ms` with the change below it. */
function sides(a, b, format, change, formatDelta = formatChange) {
  return h('div', { class: 'sides' },
    h('span', {}, a === undefined ? '–' : format(a), h('span', { class: 'arrow' }, ' → '), b === undefined ? '–' : format(b)),
    change === undefined ? null : h('span', { class: `change ${change > 0 ? 'up' : change < 0 ? 'down' : ''}` }, formatDelta(change)),
  );
}

/** `b / a` as a change (`+200%`); undefined without both sides. */
function change(ratioBA) {
  return typeof ratioBA === 'number' && Number.isFinite(ratioBA) ? ratioBA - 1 : undefined;
}

/** What the rank test says of a row, in words, with the p-value on hover. */
function verdict(row) {
  if (row.a === null) return h('span', { class: 'badge' }, 'only in B');
  if (row.b === null) return h('span', { class: 'badge' }, 'only in A');
  if (row.pValue === null) return h('span', { class: 'badge quiet', title: 'Fewer than 10 calls on a side: the rank test says little' }, 'too few calls');
  const p = `adjusted p = ${row.pValue < 0.0001 ? row.pValue.toExponential(1) : row.pValue.toFixed(4)}`;
  if (!row.significant) return h('span', { class: 'badge quiet', title: `No shift beyond noise (${p})` }, 'no significant change');
  return (row.delta?.p50Ratio ?? 1) > 1
    ? h('span', { class: 'badge regressed', title: `B is slower beyond noise (${p})` }, 'slower ▲')
    : h('span', { class: 'badge improved', title: `B is faster beyond noise (${p})` }, 'faster ▼');
}

function comparisonRow(name, row, isTotal) {
  return h('tr', { 'data-tool': isTotal ? undefined : name, 'data-significant': String(row.significant), class: isTotal ? 'total' : undefined },
    h('th', { scope: 'row' }, name),
    h('td', { class: 'num' }, `${row.a?.count ?? 0} / ${row.b?.count ?? 0}`),
    h('td', { class: 'num' }, sides(row.a?.p50Ms, row.b?.p50Ms, formatMs, change(row.delta?.p50Ratio))),
    h('td', { class: 'num' }, sides(row.a?.p95Ms, row.b?.p95Ms, formatMs, change(row.delta?.p95Ratio))),
    h('td', { class: 'num' }, sides(row.a?.p99Ms, row.b?.p99Ms, formatMs, change(row.delta?.p99Ratio))),
    h('td', { class: 'num' }, sides(row.a?.errorRate, row.b?.errorRate, formatPercent, row.delta ? row.delta.errorRateChange : undefined, formatPoints)),
    h('td', {}, verdict(row)),
  );
}

/** One operation type: its total first, then each tool. */
function comparisonTable(op) {
  const column = (label, numeric) => h('th', { scope: 'col', class: numeric ? 'num' : undefined }, label);
  return h('section', { class: 'panel scroll-x' },
    h('h2', {}, operationTitle(op.operationType), ' ', h('code', { class: 'tag' }, op.operationType)),
    h('table', { 'data-table': `compare-${op.operationType}` },
      h('caption', {}, 'Per tool: A → B, the change, and whether the rank test calls it beyond noise (adjusted p < 0.01 and p50s 1.2× apart)'),
      h('thead', {}, h('tr', {}, column('Tool'), column('Calls A / B', true), column('p50', true), column('p95', true), column('p99', true), column('Error rate', true), column('Significance'))),
      h('tbody', {}, comparisonRow(`all ${operationTitle(op.operationType).toLowerCase()}`, op, true), op.tools.map((t) => comparisonRow(t.toolName, t, false))),
    ),
  );
}

/** An error rate's change in percentage points. */
function formatPoints(change) {
  const points = change * 100;
  return `${points > 0 ? '+' : points < 0 ? '−' : '±'}${Math.abs(points).toFixed(1)} pts`;
}
