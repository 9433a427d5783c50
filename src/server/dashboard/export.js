// A session's tables and recent calls as files: the per-tool table and the recent calls as CSV
// (one file each), and both with the session's summary as one JSON document. Built in the page
// from the report it shows; nothing is sent anywhere.

import { button, h } from './dom.js';

const TOOL_COLUMNS = ['operationType', 'toolName', 'count', 'errors', 'errorRate', 'meanMs', 'stddevMs', 'minMs', 'p50Ms', 'p90Ms', 'p95Ms', 'p99Ms', 'maxMs', 'errorTypes'];
const CALL_COLUMNS = ['startedAt', 'operationType', 'toolName', 'callId', 'durationMs', 'ok', 'errorType', 'errorClass', 'errorMessage', 'traceId', 'spanId'];

/** One row per tool of each operation type, as the session page's tables show them. */
export function toolRows(report) {
  const rows = [];
  for (const [operationType, operation] of Object.entries(report.operations)) {
    for (const [toolName, s] of Object.entries(operation.tools)) {
      rows.push({
        operationType,
        toolName,
        count: s.count,
        errors: s.errors,
        errorRate: s.count === 0 ? 0 : Math.round((s.errors / s.count) * 1e4) / 1e4,
        meanMs: s.meanMs,
        stddevMs: s.stddevMs,
        minMs: s.minMs,
        p50Ms: s.p50Ms,
        p90Ms: s.p90Ms,
        p95Ms: s.p95Ms,
        p99Ms: s.p99Ms,
        maxMs: s.maxMs,
        errorTypes: s.errorTypes,
      });
    }
  }
  return rows;
}

/**
 * RFC 4180 CSV with a header line. A text cell that a spreadsheet would run as a formula (`=`,
 * `+`, `-`, `@` first: a tool name or message can come from any OTLP sender) gets a `'` first.
 */
export function toCsv(columns, rows) {
  const cell = (value) => {
    if (value === undefined || value === null) return '';
    let text = typeof value === 'object' ? Object.entries(value).map(([k, v]) => `${k}:${v}`).join('; ') : String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\r\n') + '\r\n';
}

/** The JSON export: the session's summary, its per-tool table and its recent calls. */
export function sessionJson(report) {
  const { sessionId, status, agent, startedAt, updatedAt, endedAt } = report;
  return JSON.stringify({ sessionId, status, agent, startedAt, updatedAt, endedAt, tools: toolRows(report), recent: report.recent }, null, 2);
}

function download(fileName, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The export buttons; `currentReport()` is the report the page shows when clicked. */
export function exportControls(currentReport) {
  const base = () => `toolperf-${currentReport().sessionId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  return h('div', { class: 'export', role: 'group', 'aria-label': 'Export' },
    h('span', { class: 'muted' }, 'Export'),
    button('Tools CSV', { 'data-export': 'tools-csv' }, () => download(`${base()}-tools.csv`, 'text/csv', toCsv(TOOL_COLUMNS, toolRows(currentReport())))),
    button('Recent calls CSV', { 'data-export': 'recent-csv' }, () => download(`${base()}-recent-calls.csv`, 'text/csv', toCsv(CALL_COLUMNS, currentReport().recent))),
    button('JSON', { 'data-export': 'json' }, () => download(`${base()}.json`, 'application/json', sessionJson(currentReport()))),
  );
}
