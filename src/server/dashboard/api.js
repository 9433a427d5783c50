// The report API of the page's own origin, with the bearer token when the page was given one.
// Every answer comes with its text, so that a view can tell an unchanged answer from a new one
// without looking inside it (and then leave the page alone: the reader's selection survives).

const TOKEN_KEY = 'toolperf.token';

/**
 * Moves `?token=` from the address into sessionStorage (this tab only) and out of the address bar,
 * so it is neither bookmarked nor shown on screen.
 */
export function adoptTokenFromUrl() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  if (token === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
  url.searchParams.delete('token');
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** `{ text, value }`: the answer's body as sent and parsed. */
async function getJson(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const response = await fetch(path, { headers, cache: 'no-store' });
  const text = await response.text();
  if (!response.ok) {
    let error;
    try {
      error = JSON.parse(text)?.error;
    } catch {
      error = undefined;
    }
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`);
  }
  return { text, value: JSON.parse(text) };
}

/** `{ sessions, nextCursor? }`; `query` holds the list's filters, sort, `limit` and `cursor`. */
export function fetchSessions(query) {
  return getJson(`/api/v1/sessions?${query}`);
}

export function fetchReport(sessionId) {
  return getJson(`/api/v1/sessions/${encodeURIComponent(sessionId)}/report`);
}

/** `{ tools }`: every tool with its trend over the last `sessions` sessions that used it. */
export function fetchTools(sessions) {
  return getJson(`/api/v1/tools?sessions=${encodeURIComponent(String(sessions))}`);
}

/** Per tool, session `a`'s figures against `b`'s, with the change and whether it is significant. */
export function fetchComparison(a, b) {
  return getJson(`/api/v1/compare?${new URLSearchParams({ a, b })}`);
}

/** `{ alerts }`, latest transition first; `query` holds the filters (`state`, `session`, `tool`, `limit`). */
export function fetchAlerts(query) {
  return getJson(`/api/v1/alerts?${query}`);
}

/** The server's settings for this page (`{ jaegerUrl? }`). */
export function fetchSettings() {
  return getJson('/assets/config.json');
}

/**
 * Remembers the text of the last answer it was shown: `changed(answer)` is false for an answer
 * just like the last, so the caller can skip touching the page.
 */
export function changeGate() {
  let last;
  return {
    changed(answer) {
      if (answer.text === last) return false;
      last = answer.text;
      return true;
    },
    reset() {
      last = undefined;
    },
  };
}
