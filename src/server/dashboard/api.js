// The report API of the page's own origin, with the bearer token when the page was given one.

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

async function getJson(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const response = await fetch(path, { headers, cache: 'no-store' });
  if (!response.ok) {
    const body = await response.json().catch(() => undefined);
    const error = body && typeof body === 'object' ? body.error : undefined;
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`);
  }
  return response.json();
}

/** `{ sessions, nextCursor? }`, newest first. */
export function fetchSessions(limit, cursor) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return getJson(`/api/v1/sessions?${query}`);
}

export function fetchReport(sessionId) {
  return getJson(`/api/v1/sessions/${encodeURIComponent(sessionId)}/report`);
}

/** `{ tools }`: every tool with its trend over the last `sessions` sessions that used it. */
export function fetchTools(sessions) {
  return getJson(`/api/v1/tools?sessions=${encodeURIComponent(String(sessions))}`);
}
