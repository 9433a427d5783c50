// The page's routes live in the hash: `#/`, `#/sessions/{id}`, `#/tools/{name}`.

export function sessionHref(sessionId) {
  return `#/sessions/${encodeURIComponent(sessionId)}`;
}

export function toolHref(toolName) {
  return `#/tools/${encodeURIComponent(toolName)}`;
}

/** `{ view: 'sessions' | 'session' | 'tool', id?, params }` from a location hash. */
export function parseHash(hash) {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
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
