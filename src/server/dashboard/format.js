// Numbers as the page shows them: always with their unit.

/** Milliseconds with about three significant digits; seconds from 1 s up. */
export function formatMs(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 1 : 2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

/** A share from 0 to 1 as a percentage with one decimal. */
export function formatPercent(share) {
  if (typeof share !== 'number' || !Number.isFinite(share)) return '–';
  return `${(share * 100).toFixed(1)}%`;
}

/** An ISO 8601 time in the reader's locale. */
export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** Seconds, for offsets on a timeline. */
export function formatSeconds(s) {
  return `${s.toFixed(3)} s`;
}

/** Failed calls over all calls (a report carries the success rate). */
export function errorRate(stats) {
  return stats.count === 0 ? 0 : stats.errors / stats.count;
}
