// What this server told the page about itself (`/assets/config.json`): read once at start.

import { fetchSettings } from './api.js';

let settings = {};

/** Reads the settings; without them (an older server, a network hiccup) the page works without links. */
export async function loadSettings() {
  try {
    settings = (await fetchSettings()).value ?? {};
  } catch {
    settings = {};
  }
}

/** Jaeger's page of a trace, when the server was given Jaeger's URL and the call has a trace ID. */
export function traceHref(traceId) {
  if (typeof settings.jaegerUrl !== 'string' || !traceId) return undefined;
  return `${settings.jaegerUrl}/trace/${encodeURIComponent(traceId)}`;
}
