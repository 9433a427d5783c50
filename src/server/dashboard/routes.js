// The page's routes live in the hash: `#/`, `#/sessions/{id}`, `#/tools/{name}`, `#/compare?a=&b=`.

export function sessionHref(sessionId) {
  return `#/sessions/${encodeURIComponent(sessionId)}`;
}

export function toolHref(toolName) {
  return `#/tools/${encodeURIComponent(toolName)}`;
}

/** The comparison of two sessions; either may be left out (the page then asks for it). */
export function compareHref(a, b) {
  const query = new URLSearchParams();
  if (a) query.set('a', a);
  if (b) query.set('b', b);
  return `#/compare?${query}`;
}

/** `#/?{params}`: the session list with these filters and sort. */
export function sessionsHref(params) {
  const text = params.toString();
  return text === '' ? '#/' : `#/?${text}`;
}

/** `{ view: 'sessions' | 'session' | 'tool' | 'compare', id?, params }` from a location hash. */
export function parseHash(hash) {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 1 && parts[0] === 'compare') return { view: 'compare', params };
  let id;
  try {
    id = parts[1] === undefined ? undefined : decodeURIComponent(parts[1]);
  } catch {
    return { view: 'sessions', params };
  }
  if (parts.length === 2 && parts[0] === 'sessions') return { view: 'session', id, params };
  if (parts.length === 2 && parts[0] === 'tools') return { view: 'tool', id, params };
  return { view: 'sessions', params };
}

/** Rewrites the address's hash without a `hashchange` (the view updates itself; focus stays put). */
export function replaceHash(hash) {
  history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
}
