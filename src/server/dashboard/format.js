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

/** A session's length: `formatMs` below a minute, then minutes and hours (`3 min 04 s`, `2 h 05 min`). */
export function formatDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
  if (ms < 60_000) return formatMs(ms);
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** A share from 0 to 1 as a percentage with one decimal. */
export function formatPercent(share) {
  if (typeof share !== 'number' || !Number.isFinite(share)) return '–';
  return `${(share * 100).toFixed(1)}%`;
}

/** A relative change (0.25 for +25%) with its sign; `×3.1` from +200% up, where percentages stop reading well. */
export function formatChange(ratio) {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return '–';
  if (ratio >= 2) return `×${(ratio + 1).toFixed(1)}`;
  const percent = ratio * 100;
  return `${percent > 0 ? '+' : percent < 0 ? '−' : '±'}${Math.abs(percent).toFixed(percent !== 0 && Math.abs(percent) < 10 ? 1 : 0)}%`;
}

/** An ISO 8601 time in the reader's locale. */
export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** An ISO 8601 time as a short date and time for tables (`24 Nov, 11:00`); `formatTime` for the full one. */
export function formatCompactTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Epoch milliseconds as a short date and time (a time axis's labels). */
export function formatShortTime(ms) {
  return new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Seconds, for offsets on a timeline. */
export function formatSeconds(s) {
  return `${s.toFixed(3)} s`;
}

/** Failed calls over all calls (a report carries the success rate). */
export function errorRate(stats) {
  return stats.count === 0 ? 0 : stats.errors / stats.count;
}

/** `ToolTimeout ×3, ENOENT ×1`: error types, most frequent first. */
export function formatErrorTypes(errorTypes) {
  return Object.entries(errorTypes ?? {})
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1))
    .map(([type, count]) => `${type} ×${count}`)
    .join(', ');
}
