// A session's recommendations: what to change, the largest estimated saving first, each with its
// severity, the tool, the advice and the numbers it rests on. Absent recommendations (a quiet
// session) leave a one-line note, so the reader knows the rules ran.

import { h } from './dom.js';
import { formatDuration } from './format.js';

export function createRecommendations() {
  const list = h('ol', { class: 'recommendations', 'data-list': 'recommendations' });
  const section = h('section', { 'data-section': 'recommendations' }, h('h2', {}, 'Recommendations'), list);
  let shown = '';
  return {
    section,
    render(report) {
      const recommendations = report.recommendations ?? [];
      // Redrawn only when they changed: every poll brings the same ones back.
      const text = JSON.stringify(recommendations);
      if (text === shown) return;
      shown = text;
      list.replaceChildren(
        ...(recommendations.length === 0
          ? [h('li', { class: 'muted' }, 'Nothing stands out in this session: no tool dominates, tails are tame, failures are spread, and no call repeats (repeats need fingerprintArguments).')]
          : recommendations.map(item)),
      );
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
