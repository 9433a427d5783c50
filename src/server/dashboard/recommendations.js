// A session's recommendations: what to change, the largest estimated saving first, each with its
// severity, the tool, the advice and the numbers it rests on. Absent recommendations (a quiet
// session) leave a one-line note, so the reader knows the rules ran.

import { button, h } from './dom.js';
import { formatDuration } from './format.js';

/** Shown at first; the rest on request, so that the charts stay in view. */
const FIRST = 3;

export function createRecommendations() {
  const list = h('ol', { class: 'recommendations', 'data-list': 'recommendations' });
  const more = h('div');
  const section = h('section', { 'data-section': 'recommendations' }, h('h2', {}, 'Recommendations'), list, more);
  let shown = '';
  let all = false;
  let recommendations = [];
  const draw = () => {
    const visible = all ? recommendations : recommendations.slice(0, FIRST);
    list.replaceChildren(
      ...(recommendations.length === 0
        ? [h('li', { class: 'muted' }, 'Nothing stands out in this session: no tool dominates, tails are tame, failures are spread, and no call repeats (repeats need fingerprintArguments).')]
        : visible.map(item)),
    );
    const hidden = recommendations.length - visible.length;
    more.replaceChildren(hidden > 0 ? button(`Show ${hidden} more`, { 'data-action': 'more-recommendations' }, () => { all = true; draw(); }) : '');
  };
  return {
    section,
    render(report) {
      // Redrawn only when they changed: every poll brings the same ones back.
      const text = JSON.stringify(report.recommendations ?? []);
      if (text === shown) return;
      shown = text;
      recommendations = report.recommendations ?? [];
      draw();
    },
  };
}

function item(recommendation) {
  const { kind, tool, severity, advice, evidence, estimatedSavingMs } = recommendation;
  return h('li', { class: `recommendation ${severity}`, 'data-kind': kind, 'data-tool': tool, 'data-severity': severity },
    h('div', { class: 'recommendation-head' },
      h('span', { class: `badge ${severity}` }, severity),
      h('strong', {}, kind),
      h('code', {}, tool),
      h('span', { class: 'muted' }, `saves ~${formatDuration(estimatedSavingMs)}`),
    ),
    h('p', {}, advice),
    h('details', {}, h('summary', {}, 'Evidence'),
      h('dl', { class: 'evidence' }, Object.entries(evidence).flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, String(value))])),
    ),
  );
}
