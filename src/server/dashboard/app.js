// The dashboard's entry: routes by hash, and polls the current view so a running session stays
// live. A view leaves the page alone when an answer is the same as the last one.

import { createAlertBanner } from './alert-banner.js';
import { adoptTokenFromUrl, ApiError } from './api.js';
import { createCompareView } from './compare-view.js';
import { parseHash } from './routes.js';
import { createSessionView } from './session-view.js';
import { createSessionsView } from './sessions-view.js';
import { loadSettings } from './settings.js';
import { applyChartTheme, onThemeChange } from './theme.js';
import { createToolView } from './tool-view.js';

const POLL_MS = 2000;

const root = document.getElementById('view');
const status = document.getElementById('status');
const banner = createAlertBanner(document.getElementById('alert-banner'));
let view;
let timer;
/** Bumped on every navigation: a poll started for an earlier view does not schedule another. */
let generation = 0;

function createView() {
  const route = parseHash(location.hash);
  if (route.view === 'session') return createSessionView(root, route.id);
  if (route.view === 'tool') return createToolView(root, route.id);
  if (route.view === 'compare') return createCompareView(root, route.params);
  return createSessionsView(root, route.params);
}

function show() {
  generation++;
  clearTimeout(timer);
  view?.dispose();
  root.replaceChildren();
  view = createView();
  document.title = `${view.title} · toolperf`;
  void poll(generation, view);
}

async function poll(gen, current) {
  if (!document.hidden) {
    try {
      await Promise.all([current.update(), banner.update()]);
      if (gen === generation) setStatus(`Updated ${new Date().toLocaleTimeString()} · refreshing every ${POLL_MS / 1000} s`, false);
    } catch (error) {
      if (gen === generation) setStatus(describe(error), true);
    }
  }
  if (gen === generation) timer = setTimeout(() => void poll(gen, current), POLL_MS);
}

function describe(error) {
  if (error instanceof ApiError && error.status === 401) {
    return 'This server needs a token: open the page as /?token=YOUR_TOKEN (kept for this tab only).';
  }
  if (error instanceof ApiError && error.status === 404) return `Not found: ${error.message}`;
  return `Could not load data: ${error instanceof Error ? error.message : String(error)}`;
}

function setStatus(text, isError) {
  if (status.textContent !== text) status.textContent = text;
  status.classList.toggle('error', isError);
}

adoptTokenFromUrl();
applyChartTheme();
onThemeChange(() => view?.redraw?.());
await loadSettings();
window.addEventListener('hashchange', show);
show();
