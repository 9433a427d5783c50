// The session list's filters (search, status, agent, tool, errors, time range), kept in the
// address (`#/?status=active&tool=bash`), so a filtered list can be bookmarked and shared.

import { button, h } from './dom.js';

/** The address's filter keys, in the order the form shows them. */
export const FILTER_KEYS = ['search', 'status', 'agent', 'tool', 'hasErrors', 'range', 'since', 'until'];

/** Time range presets: the list shows sessions with a call in the last ... */
const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

/**
 * The API's query for the list the address describes (`limit`, `cursor`, `sort` and `order`
 * included): a preset range becomes `since` counted from now, local date-times become ISO ones.
 */
export function apiQuery(params, limit, nowMs = Date.now()) {
  const query = new URLSearchParams({ limit: String(limit) });
  for (const key of ['search', 'status', 'agent', 'tool', 'hasErrors', 'sort', 'order', 'cursor']) {
    const value = params.get(key);
    if (value) query.set(key, value);
  }
  const range = params.get('range');
  if (range && Object.hasOwn(RANGES, range)) query.set('since', new Date(nowMs - RANGES[range]).toISOString());
  if (range === 'custom') {
    for (const key of ['since', 'until']) {
      const time = Date.parse(params.get(key) ?? '');
      if (Number.isFinite(time)) query.set(key, new Date(time).toISOString());
    }
  }
  return query;
}

/**
 * The form. `onChange(params)` gets the address's new parameters (the page of results starts
 * over; the sort is kept). Typing waits for a pause before it asks.
 */
export function createSessionFilters(params, onChange) {
  const agents = h('datalist', { id: 'agent-names' });
  const tools = h('datalist', { id: 'tool-names' });
  const field = (label, control) => h('label', { class: 'field' }, h('span', {}, label), control);
  const select = (name, options) => {
    const element = h('select', { name }, options.map(([value, text]) => h('option', { value }, text)));
    element.value = params.get(name) ?? '';
    return element;
  };
  const text = (name, attributes) => h('input', { name, value: params.get(name) ?? '', autocomplete: 'off', spellcheck: 'false', ...attributes });
  const controls = {
    search: text('search', { type: 'search', placeholder: 'Session ID contains…' }),
    status: select('status', [['', 'Any'], ['active', 'Active'], ['idle', 'Idle'], ['ended', 'Ended']]),
    agent: text('agent', { list: 'agent-names', placeholder: 'Any agent' }),
    tool: text('tool', { list: 'tool-names', placeholder: 'Any tool' }),
    hasErrors: select('hasErrors', [['', 'Any'], ['true', 'With errors'], ['false', 'Without errors']]),
    range: select('range', [['', 'Any time'], ['1h', 'Last hour'], ['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days'], ['custom', 'Between…']]),
    since: text('since', { type: 'datetime-local' }),
    until: text('until', { type: 'datetime-local' }),
  };
  const custom = h('div', { class: 'custom-range' }, field('From', controls.since), field('To', controls.until));

  const current = () => {
    const next = new URLSearchParams();
    for (const key of FILTER_KEYS) {
      const value = controls[key].value.trim();
      if (value !== '' && ((key !== 'since' && key !== 'until') || controls.range.value === 'custom')) next.set(key, value);
    }
    for (const key of ['sort', 'order', 'limit']) if (params.has(key)) next.set(key, params.get(key));
    return next;
  };
  let typing;
  const changed = () => {
    clearTimeout(typing);
    custom.hidden = controls.range.value !== 'custom';
    params = current();
    onChange(params);
  };
  for (const [key, control] of Object.entries(controls)) {
    if (control.tagName === 'INPUT' && control.type !== 'datetime-local') {
      control.addEventListener('input', () => {
        clearTimeout(typing);
        typing = setTimeout(changed, 300);
      });
      control.addEventListener('change', changed);
    } else {
      control.addEventListener('change', changed);
    }
    control.dataset.filter = key;
  }
  custom.hidden = controls.range.value !== 'custom';
  const clear = button('Clear filters', { class: 'quiet', 'data-action': 'clear-filters' }, () => {
    for (const control of Object.values(controls)) control.value = '';
    changed();
  });
  const element = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter sessions' },
    field('Search', controls.search),
    field('Status', controls.status),
    field('Agent', controls.agent),
    field('Tool', controls.tool),
    field('Errors', controls.hasErrors),
    field('Time', controls.range),
    custom,
    clear,
    agents,
    tools,
  );
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    changed();
  });
  const fill = (list, names) => {
    const sorted = [...new Set(names)].sort();
    if (sorted.join('\u0000') === list.dataset.names) return;
    list.dataset.names = sorted.join('\u0000');
    list.replaceChildren(...sorted.map((name) => h('option', { value: name })));
  };
  return {
    element,
    /** Names the agent and tool fields suggest. */
    suggest({ agentNames, toolNames }) {
      fill(agents, agentNames);
      fill(tools, toolNames);
    },
  };
}
